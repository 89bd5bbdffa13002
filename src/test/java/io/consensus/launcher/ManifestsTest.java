package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.RoutingTable;
import io.consensus.tree.KeyTree;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes example ({@code examples/kubernetes/}) against the code: every
 * {@code ALLOCATOR_*} variable is a known override, every probe path is served, every port is
 * the config's {@code http.port}, and the shutdown bounds fit the config.
 */
class ManifestsTest {
  static final Path DIR = Path.of(System.getProperty("launcher.basedir", "."), "examples", "kubernetes");
  static List<Map<String, Object>> docs;
  static JsonObject config;
  static Vertx vertx;
  static int statusPort;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void read() throws Exception {
    docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : new Yaml().loadAll(Files.readString(f))) {
          if (doc != null) {
            docs.add((Map<String, Object>) doc);
          }
        }
      }
    }
    Map<String, Object> cm = docs.stream().filter(d -> "ConfigMap".equals(d.get("kind"))).findFirst().orElseThrow();
    config = new JsonObject((String) ((Map<String, Object>) cm.get("data")).get("member.json"));
    vertx = Vertx.vertx();
    StatusServer server = new StatusServer(vertx, new StubView(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        null, null);
    // Listened on a Vert.x context, as a verticle would.
    io.vertx.core.Promise<Integer> port = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> server.listen("127.0.0.1", 0).map(s -> s.actualPort()).onComplete(port));
    statusPort = port.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> containers(Map<String, Object> workload) {
    Map<String, Object> spec = (Map<String, Object>) workload.get("spec");
    Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
    return (List<Map<String, Object>>) pod.get("containers");
  }

  static List<Map<String, Object>> workloads() {
    return docs.stream().filter(d -> "StatefulSet".equals(d.get("kind")) || "Deployment".equals(d.get("kind"))).toList();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> podSpec(Map<String, Object> workload) {
    return (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) workload.get("spec")).get("template"))
        .get("spec");
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> env(Map<String, Object> container) {
    return (List<Map<String, Object>>) container.getOrDefault("env", List.of());
  }

  @Test
  void theExampleHasAMemberStatefulSetAndASpectatorDeployment() {
    assertThat(workloads()).extracting(d -> d.get("kind")).containsExactlyInAnyOrder("StatefulSet", "Deployment");
    // The config itself is valid as the launcher reads it (endpoints come from the Secret).
    assertThat(MemberConfig.fromJson(config).httpPort()).isEqualTo(config.getJsonObject("http").getInteger("port"));
  }

  @Test
  void everyAllocatorVariableIsAKnownOverride() {
    Map<String, String> known = MemberConfig.envOverrides();
    int seen = 0;
    for (Map<String, Object> w : workloads()) {
      for (Map<String, Object> c : containers(w)) {
        for (Map<String, Object> e : env(c)) {
          String name = (String) e.get("name");
          if (name.startsWith(MemberConfig.ENV_PREFIX)) {
            seen++;
            assertThat(known).as("%s in %s", name, w.get("kind")).containsKey(name);
          }
        }
      }
    }
    assertThat(seen).isPositive();
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyProbePathIsServedOnTheConfiguredPort() {
    int port = config.getJsonObject("http").getInteger("port");
    assertThat(config.getJsonObject("http").getString("host")).as("probes reach the pod's IP").isEqualTo("0.0.0.0");
    List<String> paths = new ArrayList<>();
    for (Map<String, Object> w : workloads()) {
      for (Map<String, Object> c : containers(w)) {
        List<Map<String, Object>> ports = (List<Map<String, Object>>) c.get("ports");
        assertThat(ports).extracting(p -> p.get("containerPort")).containsOnly(port);
        for (Map<String, Object> e : env(c)) {
          assertThat(e.get("name")).as("the port comes from the config alone").isNotEqualTo("ALLOCATOR_HTTP_PORT");
        }
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
          Map<String, Object> get = (Map<String, Object>) ((Map<String, Object>) c.get(probe)).get("httpGet");
          assertThat(get).as("%s of %s", probe, w.get("kind")).isNotNull();
          assertThat(resolve(get.get("port"), ports)).as("%s port", probe).isEqualTo(port);
          paths.add((String) get.get("path"));
        }
      }
    }
    assertThat(paths).contains("/livez", "/readyz");
    for (String path : paths) {
      assertThat(status(path)).as("GET %s on the status server", path).isNotEqualTo(404);
    }
    for (Map<String, Object> svc : docs.stream().filter(d -> "Service".equals(d.get("kind"))).toList()) {
      Map<String, Object> spec = (Map<String, Object>) svc.get("spec");
      Map<String, Object> selector = (Map<String, Object>) spec.get("selector");
      Map<String, Object> w = workloads().stream().filter(x -> selector.equals(((Map<String, Object>) ((Map<String, Object>)
          ((Map<String, Object>) x.get("spec")).get("template")).get("metadata")).get("labels"))).findFirst().orElseThrow();
      for (Map<String, Object> p : (List<Map<String, Object>>) spec.get("ports")) {
        assertThat(resolve(p.get("targetPort"), (List<Map<String, Object>>) containers(w).get(0).get("ports")))
            .as("targetPort of Service %s", ((Map<String, Object>) svc.get("metadata")).get("name")).isEqualTo(port);
      }
    }
  }

  @Test
  void membersAreNamedByTheirPodAndStopWithinTheirGrace() {
    Map<String, Object> sts = workloads().stream().filter(d -> "StatefulSet".equals(d.get("kind"))).findFirst().orElseThrow();
    Map<String, Object> member = env(containers(sts).get(0)).stream()
        .filter(e -> "ALLOCATOR_MEMBER".equals(e.get("name"))).findFirst().orElseThrow();
    assertThat(member.toString()).contains("fieldPath=metadata.name");
    int grace = (Integer) podSpec(sts).get("terminationGracePeriodSeconds");
    assertThat(grace).as("terminationGracePeriodSeconds above handoffTimeoutSeconds")
        .isGreaterThan(config.getInteger("handoffTimeoutSeconds"));
    assertThat(config.getInteger("restartGraceSeconds")).as("a rolling update is a restart").isPositive();
    assertThat(config.getInteger("waitForMemberSeconds")).as("a pod back before its old lease expired waits")
        .isGreaterThan(config.getInteger("leaseTtlSeconds"));
    for (Map<String, Object> w : workloads()) {
      for (String secret : List.of("ALLOCATOR_ETCD_ENDPOINTS", "ALLOCATOR_ETCD_PASSWORD")) {
        assertThat(env(containers(w).get(0))).filteredOn(e -> secret.equals(e.get("name")))
            .singleElement().extracting(e -> e.get("valueFrom").toString()).asString().contains("secretKeyRef");
      }
    }
  }

  /** A container port given by number or by name. */
  static int resolve(Object port, List<Map<String, Object>> ports) {
    if (port instanceof Integer n) {
      return n;
    }
    return ports.stream().filter(p -> port.equals(p.get("name"))).map(p -> (Integer) p.get("containerPort"))
        .findFirst().orElseThrow(() -> new AssertionError("no container port named " + port));
  }

  static int status(String path) {
    try {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + path))
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A view of an empty fleet: enough for the status server to answer its paths. */
  static final class StubView implements FleetView {
    @Override
    public String name() {
      return "stub";
    }

    @Override
    public String role() {
      return MemberConfig.ROLE_MEMBER;
    }

    @Override
    public boolean isHealthy() {
      return true;
    }

    @Override
    public String healthReason() {
      return "ok";
    }

    @Override
    public Readiness readiness() {
      return Readiness.spectator(true, true);
    }

    @Override
    public Future<Void> ping() {
      return Future.succeededFuture();
    }

    @Override
    public Future<JsonObject> routes() {
      return Future.succeededFuture(new JsonObject().put("member", "stub").put("revision", 0)
          .put("routes", new io.vertx.core.json.JsonArray()));
    }

    @Override
    public RoutingTable table() {
      return RoutingTable.of(KeyTree.empty("/stub"), List.of(), 0, Map.of());
    }

    @Override
    public String changeAddress() {
      return "stub";
    }
  }
}
