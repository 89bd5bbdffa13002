package io.consensus.chaos;

import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.testing.Await;
import io.consensus.testing.EtcdServer;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Movement of a one-member restart without a grace, with every member a process of the real jar
 * (its own JVM): the fleet converges, then in each round one member stops (SIGTERM: graceful
 * hand-off and exit; or SIGKILL: its lease left to expire) and a new process of the same member
 * starts as soon as the old one is gone. An independent watcher counts from etcd's own history
 * what moved until the fleet is back at its fixpoint (every item R+1 entries, masters within one,
 * no revision for 3 s): placements, releases, mastership changes, item key writes; and checks the
 * graceful properties (never masterless, never below R) on SIGTERM rounds.
 *
 * <p>{@code mvn -B -o -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.consensus.chaos.ProcessRestart
 * -Dexec.args="--items 240 --members 4 --rounds 5 --stop term,kill"} (after {@code mvn -o -DskipTests package}).
 * {@code --journal true} writes every movement per round and runs the members with DEBUG logs
 * (which rule wrote at which revision) under {@code target/restart-*}.
 */
public final class ProcessRestart {
  private ProcessRestart() {
  }

  /** One round's figures. */
  record Round(String stop, String victim, int held, int mastered, MovementTally.Counts moved, double settleSeconds,
      int violations) {
  }

  public static void main(String[] args) throws Exception {
    int items = 240;
    int memberCount = 4;
    int replicas = 2;
    int ttl = 5;
    int rounds = 5;
    List<String> stops = List.of("term");
    boolean journal = false;
    Path out = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--items" -> items = Integer.parseInt(args[i + 1]);
        case "--members" -> memberCount = Integer.parseInt(args[i + 1]);
        case "--replicas" -> replicas = Integer.parseInt(args[i + 1]);
        case "--ttl" -> ttl = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--stop" -> stops = List.of(args[i + 1].split(","));
        case "--journal" -> journal = Boolean.parseBoolean(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    System.setProperty("chaos.memberHeap", System.getProperty("chaos.memberHeap", "128m"));
    String md = run(items, memberCount, replicas, ttl, rounds, stops, journal, String.join(" ", args));
    System.out.println(md);
    if (out != null) {
      Files.writeString(out, md);
    }
    System.exit(0);
  }

  static String run(int itemCount, int memberCount, int replicas, int ttl, int rounds, List<String> stops,
      boolean journal, String argLine) throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "restart-" + System.currentTimeMillis()));
    String root = "/restart";
    String load = Files.readString(Path.of("/proc/loadavg")).trim();
    Vertx vertx = Vertx.vertx();
    TmpfsEtcd etcdHome = TmpfsEtcd.start();
    EtcdServer etcd = etcdHome.server();
    ChaosReport report = new ChaosReport();
    List<MemberProcess> members = new ArrayList<>();
    List<Round> done = new ArrayList<>();
    StringBuilder md = new StringBuilder();
    long cpu0 = ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
        .getProcessCpuTime();
    try (ChaosWatcher watcher = new ChaosWatcher(vertx, etcd.endpoints(), root, replicas, report)) {
      List<String> items = new ArrayList<>();
      TxnRequest.Builder txn = TxnRequest.newBuilder();
      for (int i = 0; i < itemCount; i++) {
        String item = String.format(Locale.ROOT, "item-%05d", i);
        items.add(item);
        txn.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder()
            .setKey(EtcdKeys.bytes(root + "/items/" + item)).setValue(EtcdKeys.bytes(""))));
        if (txn.getSuccessCount() == 128 || i == itemCount - 1) {
          TxnRequest t = txn.build();
          watcher.callAsync(() -> watcher.connection().unary(KVGrpc.getTxnMethod(), t));
          txn = TxnRequest.newBuilder();
        }
      }
      watcher.start(items);
      JsonObject conf = new JsonObject().put("etcd", new JsonObject().put("endpoints", new JsonArray()))
          .put("root", root).put("replicas", replicas).put("leaseTtlSeconds", ttl)
          .put("waitForMemberSeconds", 2 * ttl + 10).put("handoffTimeoutSeconds", 60);
      List<String> jvm = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
          "-Xmx" + System.getProperty("chaos.memberHeap")));
      if (journal) {
        jvm.add("-DLOG_LEVEL=DEBUG");
      }
      for (int i = 0; i < memberCount; i++) {
        MemberProcess m = new MemberProcess("m" + (i + 1), List.of(), etcd.endpoints(), dir, conf,
            (mp, code) -> report.violation("member exited unasked", mp.name + " exited with " + code))
            .jvmOptions(jvm);
        members.add(m);
        m.start();
      }
      long t0 = System.nanoTime();
      awaitFixpoint(watcher, etcd, members, itemCount, Duration.ofMinutes(5));
      System.err.printf(Locale.ROOT, "[restart] converged in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      watcher.journalMovement(journal);
      int round = 0;
      for (int r = 0; r < rounds; r++) {
        for (String stop : stops) {
          MemberProcess victim = members.get(round % members.size());
          round++;
          Map<String, int[]> h = watcher.holdings();
          int[] mine = h.getOrDefault(victim.name, new int[2]);
          watcher.catchUp(etcd.currentRevision());
          watcher.drainMovementJournal();
          MovementTally.Counts before = watcher.movement();
          int violations0 = report.violations().size();
          long oldLease = watcher.memberLease(victim.name);
          long s0 = System.nanoTime();
          if (stop.equals("kill")) {
            watcher.disturb();
            victim.kill();
          } else {
            int code = victim.terminate(120);
            if (code != 0) {
              throw new IllegalStateException(victim.name + " exited with " + code + " after SIGTERM");
            }
          }
          victim.start();
          awaitRejoined(watcher, victim.name, oldLease, Duration.ofSeconds(4L * ttl + 60));
          long settled = awaitFixpoint(watcher, etcd, members, itemCount, Duration.ofMinutes(3));
          if (stop.equals("kill")) {
            watcher.settle();
          }
          watcher.catchUp(etcd.currentRevision());
          MovementTally.Counts moved = watcher.movement().minus(before);
          Round row = new Round(stop, victim.name, mine[1], mine[0], moved, (settled - s0) / 1e9,
              report.violations().size() - violations0);
          done.add(row);
          System.err.printf(Locale.ROOT, "[restart] round %d %s %s: held %d (masters %d): %d placements, "
              + "%d releases, %d mastership changes, %d key writes, settled after %.1f s%n", round, stop, victim.name,
              row.held(), row.mastered(), moved.placements(), moved.releases(), moved.masterChanges(),
              moved.keyWrites(), row.settleSeconds());
          if (journal) {
            Files.write(dir.resolve("round-" + round + "-" + stop + "-" + victim.name + ".journal"),
                watcher.drainMovementJournal());
          }
        }
      }
    } finally {
      members.forEach(MemberProcess::destroy);
      etcdHome.close();
      Await.result(vertx.close(), Duration.ofSeconds(30));
    }
    double cpu = (ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class)
        .getProcessCpuTime() - cpu0) / 1e9;
    md.append("### Restart of one member, member processes, no grace\n\n");
    md.append("- date: ").append(Instant.now()).append("; load average at start: ").append(load).append('\n');
    md.append("- command: `ProcessRestart ").append(argLine).append("` (logs and journals: `").append(dir)
        .append("`)\n");
    md.append(String.format(Locale.ROOT, "- %,d items x R = %d over %d member processes of the real jar (-Xmx%s), "
        + "lease TTL %d s, one etcd on tmpfs; harness CPU %.1f s%n", itemCount, replicas, memberCount,
        System.getProperty("chaos.memberHeap"), ttl, cpu));
    md.append("- minimum per round: placements 2 x held (its copies go and come back), mastership changes 2 x "
        + "mastered\n\n");
    md.append("| round | stop | member | held | mastered | placements | / min | releases | mastership changes | / min "
        + "| key writes | settled s | violations |\n|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < done.size(); i++) {
      Round r = done.get(i);
      md.append(String.format(Locale.ROOT, "| %d | %s | %s | %d | %d | %d | %.2f | %d | %d | %.2f | %d | %.1f | %d |%n",
          i + 1, r.stop(), r.victim(), r.held(), r.mastered(), r.moved().placements(),
          r.moved().placements() / (2.0 * r.held()), r.moved().releases(), r.moved().masterChanges(),
          r.moved().masterChanges() / (2.0 * r.mastered()), r.moved().keyWrites(), r.settleSeconds(), r.violations()));
    }
    report.violations().forEach(v -> md.append("\n- violation: ").append(v.kind()).append(" ").append(v.detail()));
    return md.toString();
  }

  /**
   * Every item R+1 entries of present members, each member's masters within one of the others,
   * and no revision for 3 s; returns when etcd's revision last moved (nanoTime).
   */
  private static long awaitFixpoint(ChaosWatcher watcher, EtcdServer etcd, List<MemberProcess> members,
      int itemCount, Duration max) throws InterruptedException {
    int lo = itemCount / members.size();
    int hi = (itemCount + members.size() - 1) / members.size();
    long at = ScaleRun.awaitQuiet(etcd, Duration.ofSeconds(3), max, () -> {
      if (!watcher.staffed()) {
        return false;
      }
      Map<String, int[]> h = watcher.holdings();
      for (MemberProcess m : members) {
        int[] c = h.get(m.name);
        if (c == null || c[0] < lo || c[0] > hi) {
          return false;
        }
      }
      return true;
    });
    if (at < 0) {
      throw new IllegalStateException("no fixpoint within " + max + ": " + watcher.understaffed().size()
          + " items understaffed, holdings " + describe(watcher.holdings()));
    }
    return at;
  }

  /** Waits until {@code member}'s key is present on a lease other than {@code oldLease} (the new process joined). */
  private static void awaitRejoined(ChaosWatcher watcher, String member, long oldLease, Duration max)
      throws InterruptedException {
    long limit = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < limit) {
      long lease = watcher.memberLease(member);
      if (lease != 0 && lease != oldLease) {
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException(member + " did not rejoin within " + max);
  }

  private static String describe(Map<String, int[]> h) {
    StringBuilder b = new StringBuilder();
    h.forEach((m, c) -> b.append(m).append('=').append(c[0]).append('/').append(c[1]).append(' '));
    return b.toString().trim();
  }
}
