package io.consensus.chaos;

import com.google.protobuf.ByteString;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.testing.Await;
import io.consensus.testing.EtcdServer;
import io.consensus.internal.watch.TcpProxy;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Seeded fault injection against the real jar: N member processes (each through its own TCP
 * proxies) against a real etcd (one node or a 3-node cluster), faults of every class at
 * random, an independent {@link ChaosWatcher} checking every revision, and the members'
 * serving logs checked for fencing at the end ({@link ServingAnalysis}).
 *
 * <p>{@code bench/chaos [short|long] [--seed N] [--seconds S] [--min-faults F] [--members M]
 * [--items N] [--replicas R] [--ttl T] [--topology single|cluster|both] [--out FILE]}.
 */
public final class ChaosRun {
  /** Settings of one run. */
  public record Options(long seed, int seconds, int minFaults, int maxSeconds, int members, int items, int replicas,
                        int ttl, List<Integer> topologies, List<String> faults, Path out) {
    static Options parse(String[] args) {
      String mode = args.length > 0 && !args[0].startsWith("--") ? args[0] : "short";
      long seed = 1;
      int seconds = mode.equals("long") ? 900 : 60;
      int minFaults = mode.equals("long") ? 250 : 0;
      int maxSeconds = mode.equals("long") ? 1200 : 120;
      int members = 4;
      int items = 30;
      int replicas = 1;
      int ttl = 3;
      String topology = "both";
      List<String> faults = List.of();
      Path out = null;
      for (int i = mode.equals(args.length > 0 ? args[0] : "") ? 1 : 0; i < args.length; i++) {
        String v = i + 1 < args.length ? args[i + 1] : "";
        switch (args[i]) {
          case "--seed" -> seed = Long.parseLong(v);
          case "--seconds" -> seconds = Integer.parseInt(v);
          case "--min-faults" -> minFaults = Integer.parseInt(v);
          case "--max-seconds" -> maxSeconds = Integer.parseInt(v);
          case "--members" -> members = Integer.parseInt(v);
          case "--items" -> items = Integer.parseInt(v);
          case "--replicas" -> replicas = Integer.parseInt(v);
          case "--ttl" -> ttl = Integer.parseInt(v);
          case "--topology" -> topology = v;
          case "--faults" -> faults = List.of(v.split(","));
          case "--out" -> out = Path.of(v);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
        i++;
      }
      List<Integer> topologies = switch (topology) {
        case "single" -> List.of(1);
        case "cluster" -> List.of(3);
        case "both" -> List.of(1, 3);
        default -> throw new IllegalArgumentException("--topology single|cluster|both");
      };
      List<String> known = new ArrayList<>(MEMBER_FAULTS);
      known.addAll(COMMON_FAULTS);
      known.addAll(CLUSTER_FAULTS);
      for (String f : faults) {
        if (!known.contains(f)) {
          throw new IllegalArgumentException("unknown fault class " + f + "; known: " + String.join(",", known));
        }
      }
      return new Options(seed, seconds, minFaults, maxSeconds, members, items, replicas, ttl, topologies, faults, out);
    }
  }

  static final List<String> MEMBER_FAULTS = List.of("member-sigkill-restart", "member-sigterm-restart",
      "member-sigstop-2ttl", "member-cut-off-2ttl", "item-remove-two-step-crash");
  static final List<String> COMMON_FAULTS = List.of("etcd-restart", "etcd-sigstop-past-ttl", "compaction",
      "item-add", "item-remove", "junk");
  static final List<String> CLUSTER_FAULTS = List.of("etcd-leader-kill", "etcd-follower-kill", "etcd-quorum-loss");

  private final Options o;
  private final ChaosReport report = new ChaosReport();
  private final Random rnd;
  private final Path dir;
  private final String root;
  private EtcdNodes etcd;
  private ChaosWatcher watcher;
  private final List<MemberProcess> members = new ArrayList<>();
  private final List<String> addedItems = new ArrayList<>();
  private int nextItem;
  private int junkRound;
  private String topologyName;

  private ChaosRun(Options o, Path dir, int topology) {
    this.o = o;
    this.rnd = new Random(o.seed() * 31 + topology);
    this.dir = dir;
    this.root = "/chaos";
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Result r = run(o);
    System.out.println(r.markdown());
    if (o.out() != null) {
      Files.writeString(o.out(), r.markdown());
      System.out.println("written to " + o.out());
    }
    System.exit(r.violations() == 0 ? 0 : 1);
  }

  /** The outcome of a run: its report and counts. */
  public record Result(String markdown, int faults, int violations, List<String> violationLines) {
  }

  /** Runs every topology in {@code o} in turn and reports on all of them. */
  public static Result run(Options o) throws Exception {
    Path base = Files.createDirectories(Path.of("target", "chaos-" + System.currentTimeMillis()));
    StringBuilder md = new StringBuilder();
    md.append("# etcd-allocator chaos run\n\n");
    md.append("- date: ").append(Instant.now()).append("\n");
    md.append("- command: `bench/chaos` with seed ").append(o.seed()).append(", ").append(o.seconds())
        .append(" s per topology (at least ").append(o.minFaults()).append(" faults, at most ").append(o.maxSeconds())
        .append(" s), ").append(o.members()).append(" member processes of the real jar, ").append(o.items())
        .append(" items, R = ").append(o.replicas()).append(", lease TTL ").append(o.ttl()).append(" s")
        .append(o.faults().isEmpty() ? "" : ", faults " + String.join(",", o.faults())).append("\n");
    md.append("- logs: ").append(base).append("\n\n");
    int faults = 0;
    List<String> violations = new ArrayList<>();
    for (int topology : o.topologies()) {
      ChaosRun run = new ChaosRun(o, Files.createDirectories(base.resolve("etcd-" + topology)), topology);
      String section = run.runTopology(topology);
      md.append(section).append("\n");
      faults += run.report.faults().size();
      run.report.violations().forEach(v -> violations.add(v.kind() + ": " + v.detail()));
    }
    return new Result(md.toString(), faults, violations.size(), violations);
  }

  private static volatile Path runJar;

  /** The jar members run: a private copy, so that a rebuild during a long run cannot break restarts. */
  static synchronized Path jar() {
    if (runJar == null) {
      Path p = Path.of(System.getProperty("launcher.jar", "target/etcd-allocator.jar"));
      if (!Files.isRegularFile(p)) {
        throw new IllegalStateException(p + " missing: run 'mvn -o -DskipTests package' first");
      }
      try {
        Path dir = Files.createDirectories(Path.of("target", "chaos-jars"));
        Path copy = Files.createTempFile(dir, "etcd-allocator-", ".jar");
        Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        copy.toFile().deleteOnExit();
        runJar = copy;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return runJar;
  }

  // ---------------------------------------------------------------- one topology

  private String runTopology(int size) throws Exception {
    topologyName = size == 1 ? "single etcd" : size + "-node etcd cluster";
    Vertx vertx = Vertx.vertx();
    long startedNanos = System.nanoTime();
    try {
      etcd = EtcdNodes.start(size);
      List<String> items = new ArrayList<>();
      for (int i = 0; i < o.items(); i++) {
        String item = String.format(Locale.ROOT, "i%03d", i);
        items.add(item);
        etcd.anyRunning().put(root + "/items/" + item, "");
      }
      watcher = new ChaosWatcher(vertx, etcd.endpoints(), root, o.replicas(), report);
      watcher.start(items);
      JsonObject conf = new JsonObject().put("etcd", new JsonObject().put("endpoints", new JsonArray()))
          .put("root", root).put("replicas", o.replicas()).put("leaseTtlSeconds", o.ttl())
          .put("waitForMemberSeconds", 4 * o.ttl() + 10).put("handoffTimeoutSeconds", 20);
      for (int i = 0; i < o.members(); i++) {
        List<TcpProxy> proxies = new ArrayList<>();
        for (int n = 0; n < etcd.size(); n++) {
          proxies.add(new TcpProxy(vertx, etcd.node(n).clientPort()));
        }
        MemberProcess m = new MemberProcess("m" + (i + 1), proxies, dir, conf, (mp, code) ->
            report.violation("member exited unasked", mp.name + " exited with code " + code + " (see " + dir + ")"));
        members.add(m);
        m.start();
      }
      long t0 = System.nanoTime();
      if (!awaitStaffed(Duration.ofSeconds(90))) {
        report.violation("no initial convergence", "understaffed: " + watcher.understaffed());
      }
      report.note(topologyName + ": initial convergence of " + o.members() + " processes took "
          + ms(System.nanoTime() - t0) + " ms (JVM start included)");

      List<String> kinds = new ArrayList<>(MEMBER_FAULTS);
      kinds.addAll(COMMON_FAULTS);
      if (size > 1) {
        kinds.addAll(CLUSTER_FAULTS);
      }
      if (!o.faults().isEmpty()) {
        kinds.retainAll(o.faults());
        if (kinds.isEmpty()) {
          throw new IllegalArgumentException("none of " + o.faults() + " applies to " + topologyName);
        }
      }
      long deadline = startedNanos + TimeUnit.SECONDS.toNanos(o.seconds());
      long hardDeadline = startedNanos + TimeUnit.SECONDS.toNanos(o.maxSeconds());
      while ((System.nanoTime() < deadline || report.faults().size() < o.minFaults())
          && System.nanoTime() < hardDeadline) {
        String kind = kinds.get(rnd.nextInt(kinds.size()));
        inject(kind);
        gap();
      }
      finalChecks();
    } finally {
      for (MemberProcess m : members) {
        m.destroy();
      }
      if (watcher != null) {
        watcher.close();
      }
      if (etcd != null) {
        etcd.close();
      }
      Await.result(vertx.close(), Duration.ofSeconds(30));
    }
    String header = "## " + topologyName + "\n\n- faults injected: " + report.faults().size() + " in "
        + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos) + " s\n- revisions checked by the watcher: "
        + revisionsChecked + "\n";
    return report.markdown(header, recoveryBoundMillis()).replace("\n## ", "\n### ");
  }

  private long revisionsChecked;

  // ---------------------------------------------------------------- faults

  private void inject(String kind) throws Exception {
    long start = System.nanoTime();
    long startMillis = System.currentTimeMillis();
    MemberProcess victim = members.get(rnd.nextInt(members.size()));
    long ttlMs = o.ttl() * 1000L;
    List<Long> voided = new ArrayList<>(); // leases the fault makes expire
    boolean etcdWide = false;
    String note = "";
    boolean disturbing = !List.of("member-sigterm-restart", "compaction", "item-add", "item-remove", "junk")
        .contains(kind);
    if (disturbing) {
      watcher.disturb();
    }
    switch (kind) {
      case "member-sigkill-restart" -> {
        voided.add(watcher.memberLease(victim.name));
        victim.kill();
        victim.start();
        note = victim.name;
      }
      case "member-sigterm-restart" -> {
        long lease = watcher.memberLease(victim.name);
        int code = victim.terminate(60);
        if (code != 0) {
          report.violation("graceful stop failed", victim.name + " exited with " + code + " after SIGTERM");
        }
        if (lease != 0) {
          watcher.catchUp(etcd.anyRunning().currentRevision());
          List<String> left = watcher.keysOnLease(lease);
          if (!left.isEmpty()) {
            report.violation("graceful stop left keys", victim.name + " lease " + lease + " still holds " + left);
          }
        }
        victim.start();
        note = victim.name;
      }
      case "member-sigstop-2ttl" -> {
        voided.add(watcher.memberLease(victim.name));
        victim.pause();
        pauseFor(2 * ttlMs);
        victim.resume();
        note = victim.name;
      }
      case "member-cut-off-2ttl" -> {
        voided.add(watcher.memberLease(victim.name));
        victim.cut();
        pauseFor(2 * ttlMs);
        victim.reconnect();
        note = victim.name;
      }
      case "etcd-restart" -> {
        int n = rnd.nextInt(etcd.size());
        etcd.node(n).stop();
        etcd.launch(n);
        etcdWide = true;
        note = "node " + n;
      }
      case "etcd-sigstop-past-ttl" -> {
        int n = etcd.size() == 1 ? 0 : Math.max(0, etcd.leader());
        etcd.signal(n, "STOP");
        pauseFor(ttlMs + 1000);
        etcd.signal(n, "CONT");
        etcdWide = true;
        note = "node " + n;
      }
      case "etcd-leader-kill", "etcd-follower-kill" -> {
        int leader = etcd.leader();
        int n = kind.equals("etcd-leader-kill") ? Math.max(0, leader) : (Math.max(0, leader) + 1 + rnd.nextInt(2)) % 3;
        etcd.kill(n);
        pauseFor(1000);
        etcd.launch(n);
        etcdWide = true;
        note = "node " + n + (n == leader ? " (leader)" : "");
      }
      case "etcd-quorum-loss" -> {
        int a = rnd.nextInt(3);
        int b = (a + 1 + rnd.nextInt(2)) % 3;
        etcd.kill(a);
        etcd.kill(b);
        pauseFor(ttlMs + 1000);
        Thread ta = new Thread(() -> etcd.launch(a));
        ta.start();
        etcd.launch(b);
        ta.join();
        etcdWide = true;
        note = "nodes " + a + ", " + b;
      }
      case "compaction" -> {
        long rev = etcd.anyRunning().compact();
        note = "at revision " + rev;
      }
      case "item-add" -> {
        String item = "x" + (nextItem++);
        watcher.addManaged(item);
        etcd.anyRunning().put(root + "/items/" + item, "");
        addedItems.add(item);
        note = item;
      }
      case "item-remove" -> {
        if (addedItems.isEmpty()) {
          note = "nothing added to remove";
        } else {
          String item = addedItems.remove(rnd.nextInt(addedItems.size()));
          watcher.removed(item, Long.MAX_VALUE);
          long rev = deleteItem(item);
          watcher.removed(item, rev);
          note = item + " at revision " + rev;
        }
      }
      case "item-remove-two-step-crash" -> {
        // Issue 20: an item is deleted as the README says, marker first and the prefix in a
        // second request, just as a member holding it crashed and the others restaff it.
        if (addedItems.isEmpty()) {
          String fresh = "x" + (nextItem++);
          watcher.addManaged(fresh);
          etcd.anyRunning().put(root + "/items/" + fresh, "");
          addedItems.add(fresh);
          awaitStaffed(Duration.ofSeconds(30));
        }
        String item = addedItems.remove(rnd.nextInt(addedItems.size()));
        List<String> holders = watcher.holders(item);
        MemberProcess dead = members.stream().filter(m -> holders.contains(m.name)).findFirst().orElse(victim);
        long lease = watcher.memberLease(dead.name);
        voided.add(lease);
        dead.kill();
        // The dead member's entries vanish with its lease: its items are short from then on.
        long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(3L * o.ttl() + 7);
        while (lease != 0 && System.nanoTime() < limit && !watcher.keysOnLease(lease).isEmpty()) {
          sleepPoll();
        }
        watcher.removed(item, Long.MAX_VALUE);
        long markerRev = deleteRange(root + "/items/" + item, false);
        pauseFor(rnd.nextInt(200)); // members restaff on views between the two deletes
        long rev = deleteRange(root + "/items/" + item + "/", true);
        watcher.removed(item, rev);
        dead.start();
        note = item + " marker at revision " + markerRev + ", prefix at " + rev + ", " + dead.name + " killed";
      }
      case "junk" -> note = junk();
      default -> throw new IllegalStateException(kind);
    }
    if (etcdWide) {
      for (MemberProcess m : members) {
        voided.add(watcher.memberLease(m.name));
      }
    }
    long end = System.nanoTime();
    // Nobody can act while etcd has no leader: after an etcd-wide fault, recovery counts from
    // when etcd serves a linearizable read again, if that is later than the fault's end.
    long from = etcdWide ? Math.max(end, awaitEtcdServing(end + TimeUnit.SECONDS.toNanos(60))) : end;
    long recovery = awaitRecovery(from, voided, etcdWide);
    long fromStart = recovery < 0 ? -1 : Math.max(0, ms(watcher.staffedSinceNanos() - start));
    if (disturbing) {
      watcher.settle();
    }
    long bound = recoveryBoundMillis();
    if (recovery < 0) {
      note += "; never fully staffed within 60 s: " + watcher.understaffed();
      report.violation("never restaffed", kind + " (" + note + ")");
    } else if (recovery > bound) {
      report.violation(ChaosReport.SLOW_RECOVERY, kind + " (" + note + "): fully staffed " + recovery + " ms after the fault "
          + "ended (bound TTL + 2 s = " + bound + " ms) at " + Instant.ofEpochMilli(startMillis + ms(from - start)));
    }
    report.fault(new ChaosReport.Fault(kind, startMillis, ms(end - start), ms(from - end), recovery, fromStart, note));
    System.out.printf(Locale.ROOT, "[%s] fault %d %s (%s): recovery %d ms%n", topologyName, report.faults().size(), kind,
        note, recovery);
  }

  /**
   * Waits until the leases the fault voided are gone (or, for etcd-wide faults, survived a
   * TTL), then until every item is fully staffed; returns ms from the fault's end, -1 if not
   * within 60 s.
   */
  private long awaitRecovery(long endNanos, List<Long> voided, boolean mayHaveSurvived) {
    long limit = endNanos + TimeUnit.SECONDS.toNanos(60);
    long catchUpRev = currentRevisionOrZero();
    if (catchUpRev > 0) {
      try {
        watcher.catchUp(catchUpRev);
      } catch (RuntimeException | AssertionError e) {
        // etcd may be busy electing: the loop below waits on the watcher anyway
      }
    }
    for (long lease : voided) {
      if (lease == 0) {
        continue;
      }
      while (System.nanoTime() < limit && !watcher.keysOnLease(lease).isEmpty()) {
        // etcd kept the lease alive through the fault: nothing to fail over. Judged late: a
        // member may declare its lease lost up to TTL after the fault, its revoke may wait a
        // call timeout, and a new leader extends every lease by an election before expiring it.
        if (mayHaveSurvived && System.nanoTime() - endNanos > TimeUnit.SECONDS.toNanos(3L * o.ttl() + 7)) {
          break;
        }
        sleepPoll();
      }
    }
    while (System.nanoTime() < limit) {
      if (watcher.staffed()) {
        return Math.max(0, ms(watcher.staffedSinceNanos() - endNanos));
      }
      sleepPoll();
    }
    return -1;
  }

  /** Every item fully staffed again within TTL + 2 s of a fault's end (the bound). */
  private long recoveryBoundMillis() {
    return (o.ttl() + 2) * 1000L;
  }

  /** When etcd first answered a linearizable read (so it has a leader) at or after now. */
  private long awaitEtcdServing(long limitNanos) {
    while (System.nanoTime() < limitNanos) {
      if (currentRevisionOrZero() > 0) {
        return System.nanoTime();
      }
      sleepPoll();
    }
    return limitNanos;
  }

  private long currentRevisionOrZero() {
    try {
      return etcd.anyRunning().currentRevision();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private long deleteItem(String item) {
    String marker = root + "/items/" + item;
    TxnRequest txn = TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
            .setKey(EtcdKeys.bytes(marker))))
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
            .setKey(EtcdKeys.bytes(marker + "/")).setRangeEnd(EtcdKeys.prefixEnd(marker + "/"))))
        .build();
    return watcher.callAsync(() -> watcher.connection().unary(KVGrpc.getTxnMethod(), txn))
        .getHeader().getRevision();
  }

  /** Deletes {@code key} (every key under it when {@code prefix}) in one request: its revision. */
  private long deleteRange(String key, boolean prefix) {
    DeleteRangeRequest.Builder req = DeleteRangeRequest.newBuilder().setKey(EtcdKeys.bytes(key));
    if (prefix) {
      req.setRangeEnd(EtcdKeys.prefixEnd(key));
    }
    return watcher.callAsync(() -> watcher.connection().unary(KVGrpc.getDeleteRangeMethod(), req.build()))
        .getHeader().getRevision();
  }

  /** Junk under the root; measures the writes it provokes, then removes it. */
  private String junk() {
    int n = junkRound++;
    // Measure what junk provokes, not a restarted member still joining: start from a quiet fleet.
    boolean quiet = awaitQuietFleet(30_000);
    byte[] bad = {(byte) 0xff, (byte) 0xfe, (byte) 0x80};
    List<ByteString> keys = new ArrayList<>();
    List<ByteString> values = new ArrayList<>();
    keys.add(EtcdKeys.bytes(root + "/items/junk" + n + "/deep/er/still"));
    values.add(EtcdKeys.bytes("deep"));
    keys.add(EtcdKeys.bytes(root + "/items/").concat(ByteString.copyFrom(bad)).concat(EtcdKeys.bytes("/x")));
    values.add(ByteString.copyFrom(bad));
    keys.add(EtcdKeys.bytes(root + "/junk/big" + n));
    values.add(ByteString.copyFrom(new byte[1024 * 1024]));
    keys.add(EtcdKeys.bytes(root + "/items/junk" + n + "/stranger"));
    values.add(EtcdKeys.bytes("ready"));
    keys.add(EtcdKeys.bytes(root + "/members/ghost" + n));
    values.add(EtcdKeys.bytes("{}"));
    keys.add(EtcdKeys.bytes(root + "/members/bad/name"));
    values.add(EtcdKeys.bytes("{}"));
    keys.add(EtcdKeys.bytes(root + "/").concat(ByteString.copyFrom(bad)));
    values.add(EtcdKeys.bytes("x"));
    long before = 0;
    for (int i = 0; i < keys.size(); i++) {
      PutRequest put = PutRequest.newBuilder().setKey(keys.get(i)).setValue(values.get(i)).build();
      long rev = watcher.callAsync(() -> watcher.connection().unary(KVGrpc.getPutMethod(), put)).getHeader()
          .getRevision();
      if (before == 0) {
        before = rev - 1;
      }
    }
    long written = before + keys.size();
    long txns0 = etcd.txnsHandled();
    pauseFor(3000);
    long after = currentRevisionOrZero();
    long provoked = after - written;
    long txns = etcd.txnsHandled() - txns0;
    // Junk item names and the non-UTF-8 item: remove everything, the way an operator would.
    List<String> prefixes = List.of(root + "/items/junk" + n, root + "/junk/", root + "/members/ghost" + n,
        root + "/members/bad");
    TxnRequest.Builder del = TxnRequest.newBuilder();
    for (String p : prefixes) {
      del.addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
          .setKey(EtcdKeys.bytes(p)).setRangeEnd(EtcdKeys.prefixEnd(p))));
    }
    for (ByteString p : List.of(EtcdKeys.bytes(root + "/items/").concat(ByteString.copyFrom(bad)),
        EtcdKeys.bytes(root + "/items/\uFFFD"), EtcdKeys.bytes(root + "/").concat(ByteString.copyFrom(bad)))) {
      del.addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
          .setKey(p).setRangeEnd(prefixEndBytes(p))));
    }
    long delRev = watcher.callAsync(() -> watcher.connection().unary(KVGrpc.getTxnMethod(), del.build()))
        .getHeader().getRevision();
    watcher.removed("junk" + n, delRev);
    if (quiet && (provoked > 100 || txns > 150)) {
      report.violation("junk provoked a write loop", provoked + " revisions, " + txns
          + " transactions in 3 s after junk round " + n);
    }
    return "round " + n + ": " + keys.size() + " junk keys provoked " + provoked + " revisions, " + txns
        + " transactions in 3 s" + (quiet ? "" : " (fleet was not quiet before: not judged)");
  }

  private static ByteString prefixEndBytes(ByteString p) {
    byte[] b = p.toByteArray();
    for (int i = b.length - 1; i >= 0; i--) {
      if (b[i] != (byte) 0xff) {
        b[i]++;
        return ByteString.copyFrom(b, 0, i + 1);
      }
    }
    return ByteString.copyFrom(new byte[] {0});
  }

  // ---------------------------------------------------------------- end of run

  private void finalChecks() throws IOException {
    revisionsChecked = watcher.revisionsSeen();
    if (!awaitStaffed(Duration.ofSeconds(60))) {
      report.violation("not staffed at the end", String.valueOf(watcher.understaffed()));
    }
    // Idle: a settled fleet writes nothing.
    pauseFor(2L * o.ttl() * 1000);
    long r0 = currentRevisionOrZero();
    pauseFor(10_000);
    long r1 = currentRevisionOrZero();
    if (r1 != r0) {
      report.violation("idle fleet wrote", (r1 - r0) + " revisions in 10 s (" + r0 + " -> " + r1 + ")");
    } else {
      report.note(topologyName + ": idle fleet wrote 0 revisions in 10 s at revision " + r0);
    }
    // Graceful stop of everyone, one at a time: nothing left behind.
    List<Long> leases = new ArrayList<>();
    for (MemberProcess m : members) {
      leases.add(watcher.memberLease(m.name));
      if (m == members.get(members.size() - 1)) {
        watcher.disturb(); // the last member has nobody to hand off to: its items go empty
      }
      int code = m.terminate(60);
      if (code != 0) {
        report.violation("graceful stop failed", m.name + " exited with " + code + " at the end");
      }
    }
    long endMicros = ChaosProcesses.monoMicros();
    watcher.catchUp(currentRevisionOrZero());
    for (long lease : leases) {
      List<String> left = lease == 0 ? List.of() : watcher.keysOnLease(lease);
      if (!left.isEmpty()) {
        report.violation("graceful stop left keys", "lease " + lease + ": " + left);
      }
    }
    ServingAnalysis serving = ServingAnalysis.of(members, endMicros);
    long marginMicros = Math.max(1000, o.ttl() * 1000L / 5) * 1000;
    int within = 0;
    for (ServingAnalysis.Overlap ov : serving.overlaps) {
      if (ov.micros() > marginMicros) {
        report.violation("fencing: stale master served too long", "item " + ov.item() + ": " + ov.older().member()
            + " (token " + ov.older().token() + ") served " + ov.micros() / 1000 + " ms after " + ov.newer().member()
            + " started with token " + ov.newer().token());
      } else {
        within++;
      }
    }
    serving.sharedTokens().forEach(s -> report.violation("fencing: one token, two masters", s));
    report.note(topologyName + ": serving logs: " + serving.intervals.size() + " serving intervals, " + within
        + " overlaps within the lease margin (" + marginMicros / 1000 + " ms), max overlap "
        + serving.maxOverlapMicros() / 1000 + " ms" + (serving.unparsable > 0 ? ", " + serving.unparsable
        + " torn lines (SIGKILL)" : ""));
  }

  // ---------------------------------------------------------------- helpers

  private boolean awaitStaffed(Duration d) {
    long limit = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < limit) {
      if (watcher.staffed()) {
        return true;
      }
      sleepPoll();
    }
    return false;
  }

  /** Every member's key present and no revision for 1.5 s. */
  private boolean awaitQuietFleet(long maxMillis) {
    long limit = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    long lastRev = -1;
    long since = System.nanoTime();
    while (System.nanoTime() < limit) {
      long rev = currentRevisionOrZero();
      if (rev != lastRev) {
        lastRev = rev;
        since = System.nanoTime();
      } else if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(1500)
          && members.stream().allMatch(m -> watcher.memberLease(m.name) != 0)) {
        return true;
      }
      pauseFor(100);
    }
    return false;
  }

  private void gap() {
    pauseFor(200 + rnd.nextInt(800));
  }

  /** A fault's duration or a measurement window: time itself is what is wanted here. */
  private static void pauseFor(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepPoll() {
    pauseFor(20);
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
