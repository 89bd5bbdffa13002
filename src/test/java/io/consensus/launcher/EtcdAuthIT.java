package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.etcd.EtcdAuthSetup;
import io.consensus.testing.EtcdServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The jar against an etcd with authentication: a wrong password is exit 2 with a line that hides it. */
class EtcdAuthIT {
  static final String PASSWORD = "it-pass-9876";
  static EtcdServer etcd;

  @BeforeAll
  static void start() {
    etcd = EtcdServer.start();
    EtcdAuthSetup.enable(etcd, "/it/auth/", "alloc", PASSWORD, "root-" + PASSWORD);
  }

  @AfterAll
  static void stop() {
    etcd.close();
  }

  static JsonObject conf() {
    return new JsonObject().put("etcd", new JsonObject().put("endpoints", new JsonArray(etcd.endpoints()))
        .put("user", "alloc")).put("root", "/it/auth").put("member", "m").put("items", new JsonArray().add("a"));
  }

  @Test
  void aWrongPasswordExitsAsRefusedByEtcdNamingTheKeyNotThePassword() {
    try (LauncherProcess p = LauncherProcess.start(conf().encode(), Map.of("ALLOCATOR_ETCD_PASSWORD", "wrong-" + PASSWORD))) {
      assertThat(p.awaitExit(Duration.ofSeconds(30))).as(p.output()).isEqualTo(ExitCode.ETCD_REFUSED.code());
      String err = p.stderr().strip();
      assertThat(err.lines()).as(p.output()).hasSize(1);
      assertThat(err).startsWith("etcd-allocator: config key 'etcd.password'").contains("alloc");
      assertThat(p.output()).doesNotContain(PASSWORD);
    }
  }

  @Test
  void theRightPasswordFromTheEnvironmentRuns() {
    try (LauncherProcess p = LauncherProcess.start(conf().put("http", new JsonObject().put("port", 0)).encode(),
        Map.of("ALLOCATOR_ETCD_PASSWORD", PASSWORD))) {
      LauncherProcess.await("healthy", () -> p.get("/health").statusCode() == 200);
      assertThat(p.output()).doesNotContain(PASSWORD);
    }
  }
}
