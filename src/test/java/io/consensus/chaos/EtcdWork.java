package io.consensus.chaos;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What etcd did, from its own Prometheus counters: requests served by gRPC method (stream
 * messages included, so keep-alives and watch creations count), keys put, deleted and ranged,
 * watch events sent, WAL fsyncs and bytes sent. Two reads make a window; their difference says
 * what etcd's CPU in that window went to (a survivor re-reading, keep-alives, the revoke).
 */
final class EtcdWork {
  private static final HttpFetch HTTP = new HttpFetch(java.time.Duration.ofSeconds(5));
  private static final String[] METHODS = {"Txn", "Range", "LeaseKeepAlive", "LeaseGrant", "LeaseRevoke",
      "LeaseTimeToLive", "Watch", "Put", "DeleteRange"};

  private final Map<String, Double> counters;

  private EtcdWork(Map<String, Double> counters) {
    this.counters = counters;
  }

  /** etcd's counters now ({@code endpoint} as {@code http://host:port}); NaN where it did not answer. */
  static EtcdWork read(String endpoint) {
    String scrape = HTTP.get(endpoint + "/metrics");
    Map<String, Double> c = new LinkedHashMap<>();
    for (String m : METHODS) {
      c.put(m, Metrics.sum(scrape, "grpc_server_msg_received_total", "grpc_method=\"" + m + "\""));
    }
    c.put("puts", Metrics.sum(scrape, "etcd_mvcc_put_total"));
    c.put("deletes", Metrics.sum(scrape, "etcd_mvcc_delete_total"));
    c.put("ranges", Metrics.sum(scrape, "etcd_mvcc_range_total"));
    c.put("events", Metrics.sum(scrape, "etcd_debugging_mvcc_events_total"));
    c.put("fsyncs", Metrics.sum(scrape, "etcd_disk_wal_fsync_duration_seconds_count"));
    c.put("sent", Metrics.sum(scrape, "etcd_network_client_grpc_sent_bytes_total"));
    // Gauges: watchers behind the store (etcd then re-reads their history from its backend) and
    // events waiting to be sent.
    c.put("slow", Metrics.sum(scrape, "etcd_debugging_mvcc_slow_watcher_total"));
    c.put("pending", Metrics.sum(scrape, "etcd_debugging_mvcc_pending_events_total"));
    return new EtcdWork(c);
  }

  /** Transactions etcd was sent up to now. */
  double transactions() {
    return counters.getOrDefault("Txn", Double.NaN);
  }

  /** Watchers behind the store now (a gauge). */
  double slowWatchers() {
    return counters.getOrDefault("slow", Double.NaN);
  }

  /** Events waiting to be sent now (a gauge). */
  double pendingEvents() {
    return counters.getOrDefault("pending", Double.NaN);
  }

  /** What etcd did between {@code before} and this read, as one line of text. */
  String since(EtcdWork before) {
    StringBuilder rpcs = new StringBuilder();
    for (String m : METHODS) {
      double d = delta(before, m);
      if (d > 0) {
        rpcs.append(rpcs.length() == 0 ? "" : ", ").append(m).append(' ').append(count(d));
      }
    }
    return String.format(Locale.ROOT, "etcd's requests (gRPC messages received) %s; keys put %s, deleted %s, "
        + "range reads %s; watch events sent %s; WAL fsyncs %s; %s MB sent to clients",
        rpcs.length() == 0 ? "n/a" : rpcs, count(delta(before, "puts")), count(delta(before, "deletes")),
        count(delta(before, "ranges")), count(delta(before, "events")), count(delta(before, "fsyncs")),
        String.format(Locale.ROOT, "%.1f", delta(before, "sent") / 1e6));
  }

  private double delta(EtcdWork before, String key) {
    return counters.getOrDefault(key, Double.NaN) - (before == null ? 0 : before.counters.getOrDefault(key, Double.NaN));
  }

  private static String count(double d) {
    return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%,.0f", d);
  }
}
