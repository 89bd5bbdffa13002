package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** No etcd.endpoints: the member runs its own etcd child, and stops it on exit; the demo. */
class EmbeddedEtcdIT {
  static final String SOLO = "{\"root\": \"/it/embedded\", \"member\": \"solo\", \"items\": [\"x\", \"y\"],"
      + " \"http\": {\"port\": 0}}";

  @Test
  void startsAndStopsItsOwnEtcd() {
    long etcdPid = -1;
    try (LauncherProcess p = LauncherProcess.start(SOLO, Map.of())) {
      Matcher m = p.awaitLine("embedded etcd \\(pid (\\d+)\\) at (\\S+), data dir (\\S+)");
      etcdPid = Long.parseLong(m.group(1));
      Path dataDir = Path.of(m.group(3));
      assertThat(ProcessHandle.of(etcdPid)).isPresent();
      assertThat(dataDir).isDirectory();
      LauncherProcess.await("healthy", () -> p.get("/health").statusCode() == 200);
      LauncherProcess.await("masters x and y", () -> p.getJson("/routes").getJsonArray("routes").size() == 2);

      p.signal("TERM");
      assertThat(p.awaitExit(Duration.ofSeconds(20))).as(p.output()).isZero();
      long pid = etcdPid;
      LauncherProcess.await("etcd child gone", () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
      assertThat(Files.exists(dataDir)).as("data dir deleted").isFalse();
      assertThat(p.stdout()).contains("member solo exited").contains("embedded etcd (pid " + pid + ") stopped");
    } finally {
      if (etcdPid > 0) {
        ProcessHandle.of(etcdPid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void missingEtcdBinaryGivesOneLineAndNonZeroExit() {
    try (LauncherProcess p = LauncherProcess.start(SOLO, Map.of("ETCD_BIN", "/nonexistent"))) {
      assertThat(p.awaitExit(Duration.ofSeconds(20))).as(p.output()).isEqualTo(ExitCode.ETCD_UNREACHABLE.code());
      String err = p.stderr().strip();
      assertThat(err.lines()).hasSize(1);
      assertThat(err).contains("/nonexistent").contains("apt-get install etcd-server").contains("ETCD_BIN");
    }
  }

  @Test
  void demoConvergesHandsOffAndStopsOnCtrlC() {
    Path conf = LauncherProcess.basedir().resolve("conf/demo.json");
    long etcdPid = -1;
    try (LauncherProcess p = LauncherProcess.start(conf.toString(), Map.of())) {
      etcdPid = Long.parseLong(p.awaitLine("embedded etcd \\(pid (\\d+)\\)").group(1));
      p.awaitLine("^" + DemoMain.CONVERGED + ": cancelling member-1");
      p.awaitLine("^" + DemoMain.HANDED_OFF + ": member-1 exited");
      p.awaitLine("^" + DemoMain.CONVERGED_AGAIN);
      assertThat(p.stdout()).contains("  item ").contains("member-2").contains("member-3");
      p.signal("INT");
      assertThat(p.awaitExit(Duration.ofSeconds(30))).as(p.output()).isZero();
      long pid = etcdPid;
      LauncherProcess.await("etcd child gone", () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    } finally {
      if (etcdPid > 0) {
        ProcessHandle.of(etcdPid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }
}
