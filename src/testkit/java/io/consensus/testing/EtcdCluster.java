package io.consensus.testing;

import io.consensus.internal.etcdprocess.EtcdBinary;
import io.consensus.internal.etcdprocess.EtcdProcess;
import io.consensus.internal.etcdprocess.FreePorts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A multi-member etcd cluster of real processes on loopback, for failover tests. Members
 * are numbered from 0; each can be stopped and started again on its own data dir.
 * Methods block: call them from test threads.
 */
public final class EtcdCluster implements AutoCloseable {
  private final List<EtcdServer> members;

  private EtcdCluster(List<EtcdServer> members) {
    this.members = List.copyOf(members);
  }

  /** Starts {@code size} members (binary from {@code ETCD_BIN} or {@code PATH}) and waits until each is healthy. */
  public static EtcdCluster start(int size) {
    return start(size, List.of());
  }

  /** Like {@link #start(int)}, handing every member extra command-line flags. */
  public static EtcdCluster start(int size, List<String> flags) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1: " + size);
    }
    var bin = EtcdBinary.resolve(null, System.getenv());
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) { // ports may be grabbed meanwhile: retry
      List<Integer> clientPorts = new ArrayList<>();
      List<Integer> peerPorts = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        clientPorts.add(FreePorts.next());
        peerPorts.add(FreePorts.next());
      }
      String initialCluster = java.util.stream.IntStream.range(0, size)
          .mapToObj(i -> "m" + i + "=http://127.0.0.1:" + peerPorts.get(i))
          .collect(Collectors.joining(","));
      List<String> memberFlags = new ArrayList<>(flags);
      memberFlags.add("--initial-cluster-token=" + UUID.randomUUID());
      List<EtcdProcess> processes = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        processes.add(new EtcdProcess(bin, "m" + i, clientPorts.get(i), peerPorts.get(i),
            initialCluster, memberFlags, Duration.ofSeconds(20), false));
      }
      try {
        processes.forEach(EtcdProcess::spawn); // all first: none is healthy before a quorum runs
        processes.forEach(EtcdProcess::awaitHealthy);
        return new EtcdCluster(processes.stream().map(EtcdServer::new).toList());
      } catch (IllegalStateException e) {
        processes.forEach(EtcdProcess::close);
        last = e;
      }
    }
    throw last;
  }

  /** Number of members. */
  public int size() {
    return members.size();
  }

  /** Member {@code i}. */
  public EtcdServer member(int i) {
    return members.get(i);
  }
  /** The index of the member that says it leads, or -1 when none does (electing, no quorum). */
  public int leader() {
    for (int i = 0; i < size(); i++) {
      if (member(i).isLeader()) {
        return i;
      }
    }
    return -1;
  }


  /** Client URLs of all members, in member order. */
  public List<String> endpoints() {
    return members.stream().map(EtcdServer::endpoint).toList();
  }

  /** Stops member {@code i} (SIGTERM), keeping its data. */
  public void stop(int i) {
    members.get(i).stop();
  }

  /**
   * Starts member {@code i} again and waits until it is healthy (named like
   * {@link EtcdServer#launch()}: {@code start(int)} is the static factory).
   */
  public void launch(int i) {
    members.get(i).launch();
  }

  /** Stops every member and deletes their data. */
  @Override
  public void close() {
    members.forEach(EtcdServer::close);
  }
}
