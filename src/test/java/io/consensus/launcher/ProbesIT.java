package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.EtcdExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /livez} and {@code /readyz} through the jar: liveness never fails across a join, a
 * lost lease (etcd frozen), a rejoin and a hand-off; readiness follows them with its reasons.
 */
class ProbesIT {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  /** Polls {@code /livez} on its own thread, keeping every answer that was not 200. */
  static final class LivenessPoller implements AutoCloseable {
    final List<String> failures = new CopyOnWriteArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    volatile int polls;
    private final Thread thread;

    LivenessPoller(LauncherProcess p) {
      thread = new Thread(() -> {
        while (running.get()) {
          try {
            HttpResponse<String> r = p.get("/livez");
            if (r.statusCode() != 200) {
              failures.add(r.statusCode() + " " + r.body());
            }
          } catch (RuntimeException e) {
            if (running.get()) {
              failures.add(e.toString());
            }
          }
          polls++;
          try {
            Thread.sleep(100); // a probe's period, not a wait for a condition
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "livez-poller");
      thread.start();
    }

    @Override
    public void close() {
      running.set(false);
      thread.interrupt();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static JsonObject readyz(LauncherProcess p) {
    HttpResponse<String> r = p.get("/readyz");
    JsonObject body = new JsonObject(r.body());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(body.getBoolean("ready") ? 200 : 503);
    return body;
  }

  static boolean readyWith(JsonObject body, String reason) {
    return !body.getBoolean("ready") && body.getJsonArray("reasons").stream().anyMatch(r -> ((String) r).contains(reason));
  }

  @Test
  void livenessHoldsWhileReadinessFollowsJoinLeaseLossRejoinAndHandOff() {
    String root = "/it/probes";
    // A member key on a live lease that nobody serves: the graceful stop waits for a hand-off
    // that cannot happen.
    long ghostLease = putOnNewLease(root + "/members/ghost", "{}", 600);
    Map<String, String> env = Map.of("ALLOCATOR_ETCD_ENDPOINTS", String.join(",", etcd.server().endpoints()),
        "ALLOCATOR_REPLICAS", "1");
    try (LauncherProcess m = LauncherProcess.start(MemberIT.conf(root, "m1", 60), env)) {
      LauncherProcess.await("joined: ready", () -> readyz(m).getBoolean("ready"));
      JsonObject ready = readyz(m);
      assertThat(ready.getJsonArray("reasons")).isEmpty();
      assertThat(ready.getJsonObject("checks").getMap()).containsOnlyKeys("joined", "leaseAlive", "watchCaughtUp",
          "notLeaving").allSatisfy((k, v) -> assertThat(v).isEqualTo(true));
      try (LivenessPoller live = new LivenessPoller(m)) {
        // Lease loss: etcd frozen past the lease's deadline.
        etcd.server().signal("STOP");
        try {
          LauncherProcess.await("lease lost: not ready", () -> readyWith(readyz(m), "lease not alive")
              || readyWith(readyz(m), "not joined (phase rejoining)"));
          assertThat(m.get("/health").statusCode()).as("/health as before").isEqualTo(503);
        } finally {
          etcd.server().signal("CONT");
        }
        LauncherProcess.await("rejoined: ready again", () -> readyz(m).getBoolean("ready"));

        // Hand-off: leaving, so not ready, yet live.
        m.signal("TERM");
        m.awaitLine("member m1 cancelling");
        LauncherProcess.await("leaving: not ready", () -> readyWith(readyz(m), "leaving (phase cancelling)"));
        assertThat(m.get("/livez").statusCode()).isEqualTo(200);
        live.close();
        assertThat(live.failures).as("/livez answers that were not 200").isEmpty();
        assertThat(live.polls).isPositive();
      }
      m.signal("INT"); // the hand-off cannot complete (the ghost): stop at once
      assertThat(m.awaitExit(Duration.ofSeconds(20))).isEqualTo(ExitCode.INTERRUPTED.code() + 2);
    } finally {
      etcd.server().revokeLease(ghostLease);
    }
  }

  /** Puts {@code key} on a new lease of {@code ttl} seconds (etcd's JSON gateway); returns the lease. */
  static long putOnNewLease(String key, String value, int ttl) {
    JsonObject grant = gateway("/v3/lease/grant", new JsonObject().put("TTL", ttl));
    long lease = Long.parseLong(grant.getString("ID"));
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
    gateway("/v3/kv/put", new JsonObject().put("key", b64.encodeToString(key.getBytes()))
        .put("value", b64.encodeToString(value.getBytes())).put("lease", Long.toString(lease)));
    return lease;
  }

  static JsonObject gateway(String path, JsonObject body) {
    try {
      HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(etcd.server().endpoints().get(0) + path)).POST(
          java.net.http.HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return new JsonObject(r.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aSpectatorIsReadyOnceItsWatchIsLiveAndItsTableCaughtUp() {
    String root = "/it/probes-spectator";
    etcd.server().put(root + "/items/a/m1", "ready");
    String conf = new JsonObject().put("role", "spectator").put("root", root).put("member", "gateway")
        .put("items", new JsonArray().add("a")).put("http", new JsonObject().put("port", 0)).encode();
    try (LauncherProcess s = LauncherProcess.start(conf, Map.of("ALLOCATOR_ETCD_ENDPOINTS",
        String.join(",", etcd.server().endpoints())))) {
      LauncherProcess.await("spectator ready", () -> readyz(s).getBoolean("ready"));
      assertThat(readyz(s).getJsonObject("checks").getMap()).containsOnlyKeys("watchLive", "tableCaughtUp");
      JsonObject live = s.getJson("/livez");
      assertThat(live.getBoolean("live")).isTrue();
      assertThat(live.getString("role")).isEqualTo("spectator");
      s.signal("TERM");
      assertThat(s.awaitExit(Duration.ofSeconds(20))).isZero();
    }
  }
}
