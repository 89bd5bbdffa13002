package io.consensus.chaos;

import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.testing.Await;
import io.consensus.testing.EtcdServer;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Failover at scale as it happens in production: N member processes of the real jar, each
 * its own JVM, a real SIGKILL of one of them, and an independent watcher timing when etcd
 * revoked the victim's lease, when every item it mastered had a new master, and when every
 * item was fully staffed again.
 *
 * <p>{@code bench/chaos failover [--items 10000] [--members 10] [--replicas 2] [--ttl 5]
 * [--rounds 3] [--out FILE]}
 */
public final class ProcessFailover {
  private ProcessFailover() {
  }

  public static void main(String[] args) throws Exception {
    int items = 10_000;
    int memberCount = 10;
    int replicas = 2;
    int ttl = 5;
    int rounds = 3;
    Path out = null;
    for (int i = args.length > 0 && args[0].equals("failover") ? 1 : 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--items" -> items = Integer.parseInt(args[i + 1]);
        case "--members" -> memberCount = Integer.parseInt(args[i + 1]);
        case "--replicas" -> replicas = Integer.parseInt(args[i + 1]);
        case "--ttl" -> ttl = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--out" -> out = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    System.setProperty("chaos.memberHeap", System.getProperty("chaos.memberHeap", "512m"));
    String md = run(items, memberCount, replicas, ttl, rounds);
    System.out.println(md);
    if (out != null) {
      Files.writeString(out, md);
    }
    System.exit(0);
  }

  static String run(int itemCount, int memberCount, int replicas, int ttl, int rounds) throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "failover-" + System.currentTimeMillis()));
    String root = "/failover";
    Vertx vertx = Vertx.vertx();
    TmpfsEtcd etcdHome = TmpfsEtcd.start();
    EtcdServer etcd = etcdHome.server();
    ChaosReport report = new ChaosReport();
    List<MemberProcess> members = new ArrayList<>();
    StringBuilder md = new StringBuilder();
    try {
      ChaosWatcher watcher = new ChaosWatcher(vertx, etcd.endpoints(), root, replicas, report);
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
          .put("waitForMemberSeconds", 2 * ttl + 10).put("handoffTimeoutSeconds", 30);
      long t0 = System.nanoTime();
      for (int i = 0; i < memberCount; i++) {
        MemberProcess m = new MemberProcess("m" + (i + 1), List.of(), etcd.endpoints(), dir, conf,
            (mp, code) -> report.violation("member exited unasked", mp.name + " exited with " + code));
        members.add(m);
        m.start();
      }
      awaitSettled(watcher, etcd, Duration.ofMinutes(6));
      double converge = (System.nanoTime() - t0) / 1e9;
      System.err.printf(Locale.ROOT, "[failover] converged in %.1f s%n", converge);
      md.append("## Failover with member processes (real SIGKILL)\n\n");
      md.append("- date: ").append(Instant.now()).append("; command: `bench/chaos failover --items ").append(itemCount)
          .append(" --members ").append(memberCount).append(" --replicas ").append(replicas).append(" --ttl ")
          .append(ttl).append(" --rounds ").append(rounds).append("`\n");
      md.append(String.format(Locale.ROOT, "- %,d items x R = %d over %d member processes (each its own JVM, "
          + "-Xmx%s), one etcd on loopback (data dir %s); initial convergence %.1f s (JVM starts included)%n",
          itemCount, replicas, memberCount, System.getProperty("chaos.memberHeap"),
          etcdHome.onTmpfs() ? "on tmpfs" : "on disk", converge));
      md.append("- per round: SIGKILL of one member; lease left = what etcd still granted its lease right after the "
          + "kill; revoked = the watcher saw its member key deleted; new masters = every item it mastered has "
          + "another master; fully staffed = every item has R+1 entries of live members again\n\n");
      md.append("| round | victim | items it mastered | lease left s | max TTL after kill s | etcd dropped the lease "
          + "after s | watcher saw the revoke after s | all new masters after s | new masters <= TTL + 1 s "
          + "| fully staffed after s |\n|---:|---|---:|---:|---:|---:|---:|---:|---|---:|\n");
      for (int round = 1; round <= rounds; round++) {
        MemberProcess victim = members.get((round - 1) % members.size());
        int mastered = watcher.expectFailover(victim.name);
        long lease = watcher.memberLease(victim.name);
        long k0 = System.nanoTime();
        victim.kill();
        long leaseLeft = watcher.callAsync(() -> watcher.connection().unary(LeaseGrpc.getLeaseTimeToLiveMethod(),
            LeaseTimeToLiveRequest.newBuilder().setID(lease).build())).getTTL();
        long limit = k0 + TimeUnit.SECONDS.toNanos(4L * ttl + 60);
        // When etcd itself dropped the lease (TimeToLive answers -1), apart from when the
        // watchers heard of it: tells etcd's revocation apart from watch delivery.
        long etcdRevokedNanos = -1;
        long lastTtl = leaseLeft;
        long maxTtlAfterKill = leaseLeft;
        while (System.nanoTime() < limit && (etcdRevokedNanos < 0 || watcher.failoverDoneNanos < 0)) {
          if (etcdRevokedNanos < 0) {
            lastTtl = watcher.callAsync(() -> watcher.connection().unary(LeaseGrpc.getLeaseTimeToLiveMethod(),
                LeaseTimeToLiveRequest.newBuilder().setID(lease).build())).getTTL();
            maxTtlAfterKill = Math.max(maxTtlAfterKill, lastTtl);
            if (lastTtl < 0) {
              etcdRevokedNanos = System.nanoTime();
            }
          }
          Thread.sleep(20); // poll interval; the watcher timestamps the events themselves
        }
        while (!(watcher.staffed() && watcher.staffedSinceNanos() > watcher.victimGoneNanos)
            && System.nanoTime() < limit) {
          Thread.sleep(5);
        }
        double revoked = watcher.victimGoneNanos < 0 ? Double.NaN : (watcher.victimGoneNanos - k0) / 1e9;
        double etcdRevoked = etcdRevokedNanos < 0 ? Double.NaN : (etcdRevokedNanos - k0) / 1e9;
        double masters = watcher.failoverDoneNanos < 0 ? Double.NaN : (watcher.failoverDoneNanos - k0) / 1e9;
        double staffed = watcher.staffed() ? (watcher.staffedSinceNanos() - k0) / 1e9 : Double.NaN;
        md.append(String.format(Locale.ROOT, "| %d | %s | %,d | %d | %d | %.2f | %.2f | %.2f | %s | %.2f |%n", round,
            victim.name, mastered, leaseLeft, maxTtlAfterKill, etcdRevoked, revoked, masters,
            masters <= ttl + 1 ? "yes" : "**no**", staffed));
        System.err.printf(Locale.ROOT, "[failover] round %d: lease left %d, max ttl %d, etcd dropped %.2f s, watcher "
            + "saw revoke %.2f s, new masters %.2f s, staffed %.2f s%n", round, leaseLeft, maxTtlAfterKill, etcdRevoked,
            revoked, masters, staffed);
        victim.start();
        awaitSettled(watcher, etcd, Duration.ofMinutes(3));
      }
      report.violations().forEach(v -> md.append("\n- violation: ").append(v.kind()).append(" ").append(v.detail()));
      watcher.close();
    } finally {
      members.forEach(MemberProcess::destroy);
      etcdHome.close();
      Await.result(vertx.close(), Duration.ofSeconds(30));
    }
    return md.toString();
  }

  static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // best effort
    }
  }

  /** Fully staffed and no revision for 3 s. */
  private static void awaitSettled(ChaosWatcher watcher, EtcdServer etcd, Duration max) throws InterruptedException {
    if (ScaleRun.awaitQuiet(etcd, Duration.ofSeconds(3), max, watcher::staffed) < 0) {
      throw new IllegalStateException("not settled within " + max + ": " + watcher.understaffed().size()
          + " items understaffed");
    }
  }
}
