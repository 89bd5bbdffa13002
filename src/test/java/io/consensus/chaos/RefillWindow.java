package io.consensus.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the CPU went from a member's kill until the fleet is fully staffed again (or the cap):
 * each survivor's, etcd's, this harness's and the whole machine's, and the survivors'
 * transactions (how many, how long each waited for its answer). Tells a refill paced by CPU
 * (the cores busy) from one paced by each survivor's cycle (decide, send, answer, apply).
 */
final class RefillWindow {
  private static final HttpFetch HTTP = new HttpFetch(java.time.Duration.ofSeconds(5));

  private final List<MemberProcess> survivors;
  private final Map<String, Integer> ports;
  private final long etcdPid;
  private final String etcdEndpoint;
  private final EtcdWork etcd0;
  private double maxSlowWatchers;
  private double maxPendingEvents;
  private int samples;
  // etcd's CPU seconds and transactions at each sample, and when (nanoTime): its timeline.
  private final List<double[]> etcdTimeline = new ArrayList<>();
  private final long opened = System.nanoTime();
  private final double[] cpu0;
  private final double[] machine0;
  private final double[][] tx0;

  private RefillWindow(List<MemberProcess> survivors, Map<String, Integer> ports, long etcdPid, String etcdEndpoint) {
    this.survivors = survivors;
    this.ports = ports;
    this.etcdPid = etcdPid;
    this.etcdEndpoint = etcdEndpoint;
    this.etcd0 = EtcdWork.read(etcdEndpoint);
    this.tx0 = transactions();
    this.cpu0 = cpu();
    this.machine0 = ProcessCpu.machine();
  }

  /** Starts the window (just before the kill). */
  static RefillWindow open(List<MemberProcess> survivors, Map<String, Integer> ports, long etcdPid,
      String etcdEndpoint) {
    return new RefillWindow(survivors, ports, etcdPid, etcdEndpoint);
  }

  /** Reads etcd's watch gauges once more (the caller's loop, every few hundred ms): their peaks. */
  void sample() {
    EtcdWork now = EtcdWork.read(etcdEndpoint);
    maxSlowWatchers = Math.max(maxSlowWatchers, now.slowWatchers());
    maxPendingEvents = Math.max(maxPendingEvents, now.pendingEvents());
    samples++;
    etcdTimeline.add(new double[] {(System.nanoTime() - opened) / 1e9, ProcessCpu.seconds(etcdPid), now.transactions()});
  }

  /** etcd's CPU and transactions per 2 s from the kill, as read by {@link #sample}. */
  private String etcdTimeline() {
    if (etcdTimeline.size() < 2) {
      return "";
    }
    StringBuilder cpu = new StringBuilder();
    StringBuilder txns = new StringBuilder();
    double[] last = etcdTimeline.get(0);
    double edge = 2;
    for (double[] p : etcdTimeline) {
      if (p[0] >= edge) {
        cpu.append(cpu.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f", p[1] - last[1]));
        txns.append(txns.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", p[2] - last[2]));
        last = p;
        edge = Math.floor(p[0] / 2) * 2 + 2;
      }
    }
    return String.format(Locale.ROOT, " etcd's CPU s per ~2 s from the kill: %s; its transactions: %s.", cpu, txns);
  }

  /** Ends the window {@code seconds} after the kill; a paragraph of figures. */
  String close(double seconds) {
    double[] cpu1 = cpu();
    double[] machine1 = ProcessCpu.machine();
    double[][] tx1 = transactions();
    String etcdWork = EtcdWork.read(etcdEndpoint).since(etcd0);
    int n = survivors.size();
    StringBuilder each = new StringBuilder();
    double members = 0;
    for (int i = 0; i < n; i++) {
      double d = cpu1[i] - cpu0[i];
      members += d;
      each.append(i == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.1f", d));
    }
    double busy = machine1[0] - machine0[0];
    double all = machine1[1] - machine0[1];
    double txs = 0;
    double txSeconds = 0;
    for (int i = 0; i < n; i++) {
      txs += tx1[i][0] - tx0[i][0];
      txSeconds += tx1[i][1] - tx0[i][1];
    }
    return String.format(Locale.ROOT, "From the kill to the end of the wait (%.1f s): CPU of the survivors %.1f s "
        + "(%s), etcd %.1f s, this harness %.1f s; the machine's cores %.0f %% busy (every process on it); "
        + "the survivors sent %,.0f transactions, %.1f per second each, answered after %.0f ms on average; "
        + "%s; at most %.0f slow watchers and %,.0f pending events in %d reads of etcd's gauges.%s%n%n",
        seconds, members, each, cpu1[n] - cpu0[n], cpu1[n + 1] - cpu0[n + 1], all > 0 ? 100 * busy / all : Double.NaN,
        txs, seconds > 0 ? txs / n / seconds : Double.NaN, txs > 0 ? 1000 * txSeconds / txs : Double.NaN, etcdWork,
        maxSlowWatchers, maxPendingEvents, samples, etcdTimeline());
  }

  /** Survivors', etcd's and this process's CPU seconds, in that order. */
  private double[] cpu() {
    double[] out = new double[survivors.size() + 2];
    for (int i = 0; i < survivors.size(); i++) {
      out[i] = ProcessCpu.seconds(survivors.get(i).pid());
    }
    out[survivors.size()] = ProcessCpu.seconds(etcdPid);
    out[survivors.size() + 1] = ProcessCpu.seconds(ProcessHandle.current().pid());
    return out;
  }

  /** Each survivor's {answered transactions, seconds they waited}, from its metrics. */
  private double[][] transactions() {
    List<double[]> out = new ArrayList<>();
    for (MemberProcess m : survivors) {
      String scrape = HTTP.get(ports.get(m.name), "/metrics");
      out.add(new double[] {Metrics.sum(scrape, "allocator_transaction_seconds_count"),
          Metrics.sum(scrape, "allocator_transaction_seconds_sum")});
    }
    return out.toArray(new double[0][]);
  }
}
