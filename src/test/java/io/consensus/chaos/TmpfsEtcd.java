package io.consensus.chaos;

import io.consensus.testing.EtcdServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A local etcd whose data lives on tmpfs when the machine has one: on a shared machine the
 * disk's fsync latency (seconds under load) would otherwise dominate lease revocations and
 * write rates being measured ({@code -Dchaos.diskEtcd=true} keeps it on disk).
 */
record TmpfsEtcd(EtcdServer server, Path dataDir) implements AutoCloseable {

  static TmpfsEtcd start() {
    Path shm = Path.of("/dev/shm");
    try {
      Path dataDir = Files.isDirectory(shm) && !Boolean.getBoolean("chaos.diskEtcd")
          ? Files.createTempDirectory(shm, "failover-etcd-") : null;
      EtcdServer.Builder b = EtcdServer.builder();
      if (dataDir != null) {
        b.flag("--data-dir", dataDir.resolve("data").toString());
      }
      // e.g. -Dchaos.etcdFlags=--enable-pprof (etcd's CPU profile at /debug/pprof/profile)
      String extra = System.getProperty("chaos.etcdFlags", "").trim();
      if (!extra.isEmpty()) {
        b.flag(extra.split("\\s+"));
      }
      EtcdServer etcd = b.start();
      return new TmpfsEtcd(etcd, dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean onTmpfs() {
    return dataDir != null;
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      if (dataDir != null) {
        ProcessFailover.deleteTree(dataDir);
      }
    }
  }
}
