package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.EtcdExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad configuration: one line on stderr naming the key, its exit code ({@link ExitCode}), etcd untouched. */
class BadConfigIT {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  static JsonObject valid() {
    return new JsonObject().put("etcd", new JsonObject().put("endpoints", new JsonArray(etcd.server().endpoints())))
        .put("root", "/it/bad").put("member", "m").put("items", new JsonArray().add("a"));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("unknown key", valid().put("bogus", 1), Map.of(), "config key 'bogus': unknown key"),
        Arguments.of("wrong type", valid().put("replicas", "two"), Map.of(),
            "config key 'replicas': must be an integer"),
        Arguments.of("negative replicas", valid().put("replicas", -1), Map.of(),
            "config key 'replicas': must be >= 0"),
        Arguments.of("name with /", valid().put("member", "a/b"), Map.of(), "config key 'member'"),
        Arguments.of("item with /", valid().put("items", new JsonArray().add("x/y")), Map.of(), "config key 'items'"),
        Arguments.of("empty root", valid().put("root", ""), Map.of(), "config key 'root'"),
        Arguments.of("bad http port", valid().put("http", new JsonObject().put("port", 70000)), Map.of(),
            "config key 'http.port': must be 0..65535"),
        Arguments.of("negative replicas from env", valid(), Map.of("ALLOCATOR_REPLICAS", "-2"),
            "config key 'replicas': must be >= 0, was -2"),
        Arguments.of("unknown system property override", valid(), Map.of("JAVA_TOOL_OPTIONS", "-Dallocator.replica=1"),
            "config key 'allocator.replica': unknown system property override"),
        Arguments.of("items as a string", valid().put("items", "a"), Map.of(),
            "config key 'items': must be a list of strings or JSON objects, was \"a\""),
        Arguments.of("zone not a name", valid().put("zone", "eu west"), Map.of(), "config key 'zone': must be 1-63"),
        Arguments.of("reserved metadata field", valid().put("metadata", new JsonObject().put("itemLimit", 3)), Map.of(),
            "config key 'metadata': must not use the reserved field 'itemLimit'"),
        Arguments.of("number as a string in the file", valid().put("leaseTtlSeconds", "10"), Map.of(),
            "config key 'leaseTtlSeconds': must be an integer, was \"10\""),
        Arguments.of("fractional number", valid().put("replicas", 1.5), Map.of(),
            "config key 'replicas': must be an integer, was 1.5"),
        Arguments.of("endpoints not a list", valid().put("etcd", new JsonObject().put("endpoints", 2379)), Map.of(),
            "config key 'etcd.endpoints': must be a list of strings, was 2379"),
        Arguments.of("env number that is not one", valid(), Map.of("ALLOCATOR_REPLICAS", "two"),
            "config key 'ALLOCATOR_REPLICAS': must be an integer, was \"two\""),
        Arguments.of("unreachable etcd", valid().put("etcd", new JsonObject().put("endpoints",
            new JsonArray().add("http://127.0.0.1:1"))), Map.of(), "config key 'etcd.endpoints': cannot reach etcd"));
  }

  /** The exit code of each case (the table is {@link ExitCode}): 2 unless etcd was the cause. */
  static int expectedCode(String name) {
    return name.equals("unreachable etcd") ? ExitCode.ETCD_UNREACHABLE.code() : ExitCode.CONFIG.code();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void exitsWithItsCodeAndOneLineNamingTheKey(String name, JsonObject conf, Map<String, String> env, String message) {
    long before = etcd.server().currentRevision();
    try (LauncherProcess p = LauncherProcess.start(conf.encode(), env)) {
      assertThat(p.awaitExit(Duration.ofSeconds(20))).as(p.output()).isEqualTo(expectedCode(name));
      // The JVM announces JAVA_TOOL_OPTIONS on stderr itself.
      String err = p.stderr().lines().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS"))
          .collect(java.util.stream.Collectors.joining("\n")).strip();
      assertThat(err.lines()).as(p.output()).hasSize(1);
      assertThat(err).startsWith("etcd-allocator: ").contains(message);
    }
    assertThat(etcd.server().currentRevision()).as("etcd revision").isEqualTo(before);
  }

  @Test
  void aMemberAlreadyRunningHasItsOwnExitCode() {
    etcd.server().put("/it/bad/members/m", "{}");
    try (LauncherProcess p = LauncherProcess.start(valid().encode(), Map.of())) {
      assertThat(p.awaitExit(Duration.ofSeconds(20))).as(p.output()).isEqualTo(ExitCode.MEMBER_EXISTS.code());
      assertThat(p.stderr()).contains("member 'm' is already running");
    } finally {
      etcd.server().delete("/it/bad/members/m");
    }
  }

  @Test
  void variablesKubernetesInjectsAreIgnoredWithOneWarningNamingThem() {
    Map<String, String> env = new java.util.HashMap<>(KubernetesEnv.serviceLinks("allocator", 8080));
    env.put("ALLOCATOR_REPLICA", "2"); // misspelt ALLOCATOR_REPLICAS: ignored, and visible in the warning
    JsonObject conf = valid().put("root", "/it/env").put("http", new JsonObject().put("port", 0))
        .put("leaseTtlSeconds", 4).put("handoffTimeoutSeconds", 3);
    try (LauncherProcess p = LauncherProcess.start(conf.encode(), env)) {
      p.httpPort();
      List<String> warnings = p.stdout().lines().filter(l -> l.contains("ignoring environment variables")).toList();
      assertThat(warnings).as(p.output()).hasSize(1);
      assertThat(warnings.get(0)).contains("ALLOCATOR_REPLICA,").contains("ALLOCATOR_SERVICE_HOST")
          .contains("ALLOCATOR_SERVICE_PORT").contains("ALLOCATOR_PORT,").contains("ALLOCATOR_PORT_8080_TCP_PROTO");
      LauncherProcess.await("member serves", () -> p.get("/health").statusCode() == 200);
      p.signal("TERM");
      assertThat(p.awaitExit(Duration.ofSeconds(30))).as(p.output()).isZero();
    }
  }
}
