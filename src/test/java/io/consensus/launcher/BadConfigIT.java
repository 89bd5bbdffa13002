package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.EtcdExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad configuration: one line on stderr naming the key, exit code 2, etcd untouched. */
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
        Arguments.of("unknown env override", valid(), Map.of("ALLOCATOR_REPLICA", "1"),
            "config key 'ALLOCATOR_REPLICA': unknown environment override"),
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

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void exitsWithTwoAndOneLineNamingTheKey(String name, JsonObject conf, Map<String, String> env, String message) {
    long before = etcd.server().currentRevision();
    try (LauncherProcess p = LauncherProcess.start(conf.encode(), env)) {
      assertThat(p.awaitExit(Duration.ofSeconds(20))).as(p.output()).isEqualTo(2);
      String err = p.stderr().strip();
      assertThat(err.lines()).as(p.output()).hasSize(1);
      assertThat(err).startsWith("etcd-allocator: ").contains(message);
    }
    assertThat(etcd.server().currentRevision()).as("etcd revision").isEqualTo(before);
  }
}
