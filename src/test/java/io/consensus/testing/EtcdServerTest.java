package io.consensus.testing;

import io.consensus.internal.etcdprocess.EtcdBinaryNotFoundException;
import io.consensus.internal.etcdprocess.EtcdProcess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdServerTest {

  @Test
  void startsAnswersRestartsAndCompacts() {
    Path dir;
    try (EtcdServer etcd = EtcdServer.start()) {
      dir = etcd.dataDir();
      assertThat(etcd.endpoint()).isEqualTo("http://127.0.0.1:" + etcd.clientPort());
      assertThat(etcd.endpoints()).containsExactly(etcd.endpoint());
      assertThat(EtcdProcess.healthy(etcd.clientPort())).isTrue();

      long rev = etcd.put("/a", "1");
      assertThat(rev).isGreaterThan(1);
      assertThat(etcd.currentRevision()).isEqualTo(rev);

      etcd.restart();
      assertThat(etcd.isRunning()).isTrue();
      assertThat(etcd.currentRevision()).isEqualTo(rev);
      assertThat(get(etcd, "/a")).isEqualTo("1");

      etcd.put("/a", "2");
      long compacted = etcd.compact();
      assertThat(compacted).isEqualTo(rev + 1);
      // Reading below the compaction revision fails; at it succeeds.
      assertThatThrownBy(() -> EtcdGateway.post(etcd.clientPort(), "/v3/kv/range",
          new JsonObject().put("key", EtcdGateway.b64("/a")).put("revision", Long.toString(rev))))
          .hasMessageContaining("compacted");
      assertThat(get(etcd, "/a")).isEqualTo("2");
      assertThat(etcd.compact()).isEqualTo(compacted); // twice is fine

      etcd.stop();
      assertThat(etcd.isRunning()).isFalse();
      assertThat(EtcdProcess.healthy(etcd.clientPort())).isFalse();
      etcd.launch();
      assertThat(get(etcd, "/a")).isEqualTo("2");
      assertThat(Files.readString(etcd.logFile())).isNotEmpty();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void signalsFreezeResumeAndCrashTheProcess() {
    try (EtcdServer etcd = EtcdServer.start()) {
      etcd.put("/s", "1");
      etcd.signal("STOP");
      assertThat(EtcdProcess.healthy(etcd.clientPort())).as("frozen").isFalse();
      assertThat(etcd.isRunning()).isTrue();
      etcd.signal("CONT");
      assertThat(get(etcd, "/s")).isEqualTo("1");
      etcd.signal("KILL");
      assertThat(etcd.isRunning()).isFalse();
      etcd.signal("CONT"); // not running: nothing to signal
      etcd.launch();
      assertThat(get(etcd, "/s")).isEqualTo("1");
    }
  }

  @Test
  void passesExtraFlags() {
    try (EtcdServer etcd = EtcdServer.builder().name("flags")
        .flag("--experimental-watch-progress-notify-interval=500ms").start()) {
      assertThat(etcd.name()).isEqualTo("flags");
      assertThat(EtcdProcess.healthy(etcd.clientPort())).isTrue();
    }
  }

  @Test
  void missingBinaryExplainsHowToInstall() {
    assertThatThrownBy(() -> EtcdServer.builder()
        .environment(Map.of("ETCD_BIN", "/nonexistent/etcd", "PATH", "/usr/bin")).start())
        .isInstanceOf(EtcdBinaryNotFoundException.class)
        .hasMessageContaining("/nonexistent/etcd")
        .hasMessageContaining("apt-get install etcd-server")
        .hasMessageContaining("ETCD_BIN");
    assertThatThrownBy(() -> EtcdServer.builder().environment(Map.of("PATH", "/nonexistent")).start())
        .isInstanceOf(EtcdBinaryNotFoundException.class)
        .hasMessageContaining("apt-get install etcd-server");
  }

  static String get(EtcdServer etcd, String key) {
    JsonObject resp = EtcdGateway.post(etcd.clientPort(), "/v3/kv/range",
        new JsonObject().put("key", EtcdGateway.b64(key)));
    return new String(Base64.getDecoder().decode(resp.getJsonArray("kvs").getJsonObject(0).getString("value")));
  }
}
