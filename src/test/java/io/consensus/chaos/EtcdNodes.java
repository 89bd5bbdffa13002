package io.consensus.chaos;

import io.consensus.testing.EtcdCluster;
import io.consensus.testing.EtcdServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One etcd or a 3-node cluster under fault injection: kill, launch, pause, leader lookup. */
final class EtcdNodes implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final EtcdServer single;
  private final EtcdCluster cluster;
  private final List<EtcdServer> nodes = new ArrayList<>();

  private EtcdNodes(EtcdServer single, EtcdCluster cluster) {
    this.single = single;
    this.cluster = cluster;
    if (single != null) {
      nodes.add(single);
    } else {
      for (int i = 0; i < cluster.size(); i++) {
        nodes.add(cluster.member(i));
      }
    }
  }

  static EtcdNodes start(int size) {
    return size <= 1 ? new EtcdNodes(EtcdServer.start(), null) : new EtcdNodes(null, EtcdCluster.start(size));
  }

  int size() {
    return nodes.size();
  }

  EtcdServer node(int i) {
    return nodes.get(i);
  }

  List<String> endpoints() {
    return nodes.stream().map(EtcdServer::endpoint).toList();
  }

  /** A running node, for test-side reads and writes. */
  EtcdServer anyRunning() {
    for (EtcdServer n : nodes) {
      if (n.isRunning()) {
        return n;
      }
    }
    throw new IllegalStateException("no etcd node running");
  }

  void kill(int i) {
    signal(i, "KILL");
    EtcdServer n = nodes.get(i);
    io.consensus.testing.Await.until("etcd " + i + " dead", Duration.ofSeconds(10), () -> !n.isRunning());
  }

  void launch(int i) {
    nodes.get(i).launch();
  }

  void signal(int i, String sig) {
    nodes.get(i).signal(sig);
  }

  /** The index of the current leader, or -1 when none answers. */
  int leader() {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).isLeader()) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Transactions etcd has handled, summed over the running nodes (from their Prometheus
   * metrics): failed compare-guarded transactions write no revision, so a member spinning on
   * them shows only here.
   */
  long txnsHandled() {
    long sum = 0;
    for (EtcdServer n : nodes) {
      if (!n.isRunning()) {
        continue;
      }
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(n.endpoint() + "/metrics"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        for (String line : r.body().split("\n")) {
          if (line.startsWith("grpc_server_handled_total{") && line.contains("grpc_method=\"Txn\"")) {
            sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          }
        }
      } catch (IOException | RuntimeException e) {
        // a node that does not answer adds nothing
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return sum;
  }

  @Override
  public void close() {
    for (EtcdServer n : nodes) {
      ChaosProcesses.signal(n.pid(), "CONT");
    }
    if (single != null) {
      single.close();
    } else {
      cluster.close();
    }
  }
}
