package io.consensus.launcher;

import io.consensus.internal.etcdprocess.EtcdProcess;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The etcd a member runs for itself when no {@code etcd.endpoints} are configured: a child
 * process of the {@code etcd} binary ({@code ETCD_BIN}, else {@code PATH}) on free loopback
 * ports, with a temporary data directory that is deleted when it stops. Built on
 * {@link EtcdProcess}, which the test kit wraps too. Blocking: call from the main thread only.
 */
final class EmbeddedEtcd implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedEtcd.class);

  private final EtcdProcess server;
  private final long pid; // read without the server's lock, which stop() holds while waiting

  private EmbeddedEtcd(EtcdProcess server) {
    this.server = server;
    this.pid = server.pid();
  }

  /**
   * Starts etcd and waits until it is healthy.
   *
   * @throws io.consensus.internal.etcdprocess.EtcdBinaryNotFoundException when there is no etcd binary
   */
  static EmbeddedEtcd start() {
    // Own session: Ctrl-C in a terminal must leave etcd running until the hand-off is done.
    EtcdProcess server = EtcdProcess.builder().name("embedded").ownSession().start();
    LOG.info("embedded etcd (pid {}) at {}, data dir {} (deleted on exit)", server.pid(), server.endpoint(),
        server.dataDir());
    return new EmbeddedEtcd(server);
  }

  /** The client URLs. */
  List<String> endpoints() {
    return server.endpoints();
  }

  /** Sends etcd SIGTERM without waiting (the JVM is about to halt); leaves its data dir. */
  void kill() {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
  }

  /** Stops etcd and deletes its data. Idempotent, thread-safe (a shutdown hook may race). */
  @Override
  public void close() {
    boolean wasRunning = server.isRunning();
    server.close();
    if (wasRunning) {
      LOG.info("embedded etcd (pid {}) stopped", pid);
    }
  }
}
