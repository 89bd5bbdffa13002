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
  private final double[] cpu0;
  private final double[] machine0;
  private final double[][] tx0;

  private RefillWindow(List<MemberProcess> survivors, Map<String, Integer> ports, long etcdPid) {
    this.survivors = survivors;
    this.ports = ports;
    this.etcdPid = etcdPid;
    this.tx0 = transactions();
    this.cpu0 = cpu();
    this.machine0 = ProcessCpu.machine();
  }

  /** Starts the window (just before the kill). */
  static RefillWindow open(List<MemberProcess> survivors, Map<String, Integer> ports, long etcdPid) {
    return new RefillWindow(survivors, ports, etcdPid);
  }

  /** Ends the window {@code seconds} after the kill; a paragraph of figures. */
  String close(double seconds) {
    double[] cpu1 = cpu();
    double[] machine1 = ProcessCpu.machine();
    double[][] tx1 = transactions();
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
        + "the survivors sent %,.0f transactions, %.1f per second each, answered after %.0f ms on average.%n%n",
        seconds, members, each, cpu1[n] - cpu0[n], cpu1[n + 1] - cpu0[n + 1], all > 0 ? 100 * busy / all : Double.NaN,
        txs, seconds > 0 ? txs / n / seconds : Double.NaN, txs > 0 ? 1000 * txSeconds / txs : Double.NaN);
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
