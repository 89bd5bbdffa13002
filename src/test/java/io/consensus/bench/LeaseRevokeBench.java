package io.consensus.bench;

import static io.consensus.internal.etcd.EtcdKeys.bytes;

import io.consensus.chaos.ScaleRun;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.internal.etcd.EtcdStream;
import io.consensus.testing.ContextCalls;
import io.consensus.testing.EtcdServer;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Where the time goes between a lease's end and its revision's delivery, with nothing of the
 * allocator in the way: one etcd (data on tmpfs), one lease holding K keys (the dead member's
 * entries and its member key), W bare watchers of the root prefix, each on its own connection
 * and event loop, whose handlers only count events. Per round: how long etcd takes to answer
 * the revoke (or, with {@code expire}, until TimeToLive says the lease is gone), and when each
 * watcher got the first and the last response of the deleting revision, with and without
 * etcd's watch fragments; etcd's CPU and metrics over the round. Then the client's cost of
 * decoding one unfragmented response of K delete events. Figures, not a test:
 *
 * <pre>
 *   mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.consensus.bench.LeaseRevokeBench -Dexec.args="75000 0,1,4 true,false revoke"
 * </pre>
 * Arguments (all optional): keys, watcher counts, fragment settings, {@code revoke|expire}.
 */
public final class LeaseRevokeBench {
  private static final String ROOT = "/r/";
  private static final int EXPIRE_TTL = 40;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<String> METRICS = List.of("etcd_mvcc_delete_total", "etcd_server_slow_apply_total",
      "etcd_debugging_mvcc_slow_watcher_total", "etcd_debugging_mvcc_events_total",
      "etcd_debugging_mvcc_pending_events_total", "etcd_debugging_lease_revoked_total",
      "etcd_server_proposals_applied_total", "etcd_disk_backend_commit_duration_seconds_sum",
      "etcd_network_client_grpc_sent_bytes_total", "process_cpu_seconds_total");

  private LeaseRevokeBench() {
  }

  /** One watcher's view of the round: responses and events of the deleting revision. */
  private static final class Seen {
    volatile long first = -1;
    volatile long last = -1;
    volatile int responses;
    volatile int fragments;
    volatile int events;
    volatile boolean created;
  }

  public static void main(String[] args) throws Exception {
    BenchEnv.quietLogs();
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 75_000;
    int[] watcherCounts = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {0, 1, 4};
    boolean[] fragmentModes = args.length > 2 ? parseBools(args[2]) : new boolean[] {true, false};
    boolean expire = args.length > 3 && args[3].equals("expire");
    try (BenchEtcd b = BenchEtcd.start("revoke-bench")) {
      EtcdServer etcd = b.etcd();
      Vertx vertx = b.vertx();
      Context ctx = b.ctx();
      EtcdConnection conn = b.conn();
      System.out.printf(Locale.ROOT, "etcd %s, data on tmpfs; %,d keys on one lease (the entries of %,d items "
          + "and a member key); load average %s%n", etcd.endpoint(), keys, keys - 1, ScaleRun.loadAverage());
      System.out.println();
      System.out.println("| watchers | fragments | revoke answered ms | lease gone ms | first response ms "
          + "(min..max) | last response ms (min..max) | responses per watcher | etcd CPU ms "
          + "| another lease: longest without an answer ms / failed asks | metrics moved |");
      System.out.println("|---:|---|---:|---:|---|---|---:|---:|---:|---|");
      for (int w : watcherCounts) {
        for (boolean fragment : fragmentModes) {
          if (w == 0 && fragment != fragmentModes[0]) {
            continue; // no watcher: fragments make no difference
          }
          round(vertx, ctx, conn, etcd, keys, w, fragment, expire);
        }
      }
      decodeCost(keys);
      List<String> slow = Files.readAllLines(etcd.logFile()).stream().filter(l -> l.contains("took too long"))
          .toList();
      List<String> revokes = slow.stream().filter(l -> l.contains("lease_revoke")).toList();
      System.out.printf(Locale.ROOT, "%netcd log lines 'took too long': %d, of which lease revokes %d:%n",
          slow.size(), revokes.size());
      revokes.forEach(l -> System.out.println("    " + l));
    }
    System.exit(0);
  }

  private static void round(Vertx vertx, Context ctx, EtcdConnection conn, EtcdServer etcd, int keys, int watchers,
      boolean fragment, boolean expire) throws Exception {
    long granted = System.nanoTime();
    long lease = call(ctx, () -> conn.unary(LeaseGrpc.getLeaseGrantMethod(),
        LeaseGrantRequest.newBuilder().setTTL(expire ? EXPIRE_TTL : 3600).build())).getID();
    List<PutRequest> puts = new ArrayList<>();
    puts.add(put(ROOT + "members/m1", lease));
    for (int i = 0; i < keys - 1; i++) {
      puts.add(put(String.format(Locale.ROOT, "%sitems/item-%07d/m1", ROOT, i), lease));
      if (puts.size() == 128) {
        flush(ctx, conn, puts);
      }
    }
    flush(ctx, conn, puts);
    List<Seen> seen = new ArrayList<>();
    List<Context> loops = new ArrayList<>();
    List<EtcdConnection> conns = new ArrayList<>();
    Map<Seen, EtcdStream<WatchRequest, WatchResponse>> streams = new ConcurrentHashMap<>();
    for (int i = 0; i < watchers; i++) {
      Context c = vertx.getOrCreateContext();
      EtcdConnection wc = ContextCalls.call(c, () -> new EtcdConnection(vertx, etcd.endpoints(),
          Duration.ofSeconds(60)), Duration.ofSeconds(30));
      Seen s = new Seen();
      seen.add(s);
      loops.add(c);
      conns.add(wc);
      EtcdStream<WatchRequest, WatchResponse> st = call(c, () -> wc.openStream(WatchGrpc.getWatchMethod()));
      streams.put(s, st);
      ContextCalls.call(c, () -> {
        WatchCreateRequest.Builder create = WatchCreateRequest.newBuilder().setKey(bytes(ROOT))
            .setRangeEnd(EtcdKeys.prefixEnd(ROOT)).setProgressNotify(true);
        if (fragment) {
          create.setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
              .addField(8, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build());
        }
        st.request().write(WatchRequest.newBuilder().setCreateRequest(create).build());
        st.request().response().onSuccess(resp -> resp.handler(msg -> {
          if (msg.getCreated()) {
            s.created = true;
            return;
          }
          if (msg.getEventsCount() == 0) {
            return;
          }
          long now = System.nanoTime();
          if (s.first < 0) {
            s.first = now;
          }
          s.responses++;
          if (!msg.getUnknownFields().getField(7).getVarintList().isEmpty()) {
            s.fragments++;
          }
          s.events += msg.getEventsCount();
          if (s.events >= keys) {
            s.last = now;
          }
        }));
        return null;
      }, Duration.ofSeconds(30));
    }
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (seen.stream().anyMatch(s -> !s.created) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    long probe = call(ctx, () -> conn.unary(LeaseGrpc.getLeaseGrantMethod(),
        LeaseGrantRequest.newBuilder().setTTL(3600).build())).getID();
    Map<String, Double> before = metrics(etcd);
    // expire: times count from the lease's end (grant + TTL), which the keys and watchers precede
    long t0 = expire ? granted + EXPIRE_TTL * 1_000_000_000L : System.nanoTime();
    java.util.concurrent.atomic.AtomicLong answeredAt = new java.util.concurrent.atomic.AtomicLong(-1);
    if (!expire) {
      // not awaited: the probe below asks etcd while the revoke is being applied
      ctx.runOnContext(v -> conn.unary(LeaseGrpc.getLeaseRevokeMethod(), LeaseRevokeRequest.newBuilder().setID(lease)
          .build()).onComplete(ar -> answeredAt.set(ar.succeeded() ? System.nanoTime() : -2)));
    }
    long gone = -1;
    deadline = System.nanoTime() + 180_000_000_000L;
    // Another member's lease, asked after every few ms: etcd 3.4 answers a lease request only once
    // its applied index caught up (at most 1 s, else "waiting for the applied index took too long"),
    // as it does a keep-alive.
    int probeFailures = 0;
    long lastAnswer = System.nanoTime();
    long longestWithoutAnswer = 0;
    while (System.nanoTime() < deadline && (gone < 0 || seen.stream().anyMatch(s -> s.last < 0)
        || (!expire && answeredAt.get() == -1))) {
      try {
        long ttl = call(ctx, () -> conn.unary(LeaseGrpc.getLeaseTimeToLiveMethod(),
            LeaseTimeToLiveRequest.newBuilder().setID(probe).build())).getTTL();
        if (ttl < 0) {
          throw new IllegalStateException("the probe lease is gone");
        }
        long now = System.nanoTime();
        longestWithoutAnswer = Math.max(longestWithoutAnswer, now - lastAnswer);
        lastAnswer = now;
      } catch (RuntimeException e) {
        probeFailures++;
      }
      try {
        if (gone < 0 && call(ctx, () -> conn.unary(LeaseGrpc.getLeaseTimeToLiveMethod(),
            LeaseTimeToLiveRequest.newBuilder().setID(lease).build())).getTTL() < 0) {
          gone = System.nanoTime();
        }
      } catch (RuntimeException e) {
        probeFailures++;
      }
      Thread.sleep(5);
    }
    long answered = answeredAt.get();
    Map<String, Double> after = metrics(etcd);
    StringBuilder moved = new StringBuilder();
    for (String m : METRICS) {
      double d = after.getOrDefault(m, 0.0) - before.getOrDefault(m, 0.0);
      if (d != 0) {
        moved.append(moved.length() == 0 ? "" : "; ").append(m.replace("etcd_", "")).append(" ")
            .append(d == Math.rint(d) ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.3f", d));
      }
    }
    double cpu = 1000 * (after.getOrDefault("process_cpu_seconds_total", 0.0)
        - before.getOrDefault("process_cpu_seconds_total", 0.0));
    System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %,.0f | %,.0f / %d | %s |%n", watchers,
        watchers == 0 ? "-" : fragment ? "yes" : "no", answered < 0 ? "-" : ms(answered - t0),
        gone < 0 ? "n/a" : ms(gone - t0), range(seen, s -> s.first, t0), range(seen, s -> s.last, t0),
        seen.isEmpty() ? "-" : seen.stream().map(s -> s.responses + (s.fragments > 0 ? " (" + s.fragments
            + " flagged)" : "")).distinct().reduce((a, b) -> a + ", " + b).orElse(""), cpu,
        longestWithoutAnswer / 1e6, probeFailures, moved);
    for (int i = 0; i < watchers; i++) {
      EtcdStream<WatchRequest, WatchResponse> st = streams.get(seen.get(i));
      EtcdConnection wc = conns.get(i);
      ContextCalls.callAsync(loops.get(i), () -> {
        st.request().cancel();
        return wc.close();
      }, Duration.ofSeconds(30));
    }
  }

  /** The client's cost of decoding one unfragmented response of {@code keys} delete events. */
  private static void decodeCost(int keys) throws Exception {
    WatchResponse.Builder b = WatchResponse.newBuilder();
    b.getHeaderBuilder().setRevision(1_000_000);
    for (int i = 0; i < keys; i++) {
      b.addEvents(Event.newBuilder().setType(Event.EventType.DELETE).setKv(KeyValue.newBuilder()
          .setKey(bytes(String.format(Locale.ROOT, "/scale/items/item-%07d/m1", i))).setModRevision(1_000_000)));
    }
    byte[] bytes = b.build().toByteArray();
    long best = Long.MAX_VALUE;
    List<Long> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      long t = System.nanoTime();
      WatchResponse r = WatchResponse.parseFrom(bytes);
      long d = System.nanoTime() - t;
      if (r.getEventsCount() != keys) {
        throw new IllegalStateException();
      }
      all.add(d);
      best = Math.min(best, d);
    }
    all.sort(null);
    System.out.printf(Locale.ROOT, "%nclient: one unfragmented response of %,d delete events is %,d bytes; "
        + "WatchResponse.parseFrom: best %.1f ms, median %.1f ms of 30 (load average %s)%n", keys, bytes.length,
        best / 1e6, all.get(15) / 1e6, ScaleRun.loadAverage());
  }

  private static String range(List<Seen> seen, java.util.function.ToLongFunction<Seen> f, long t0) {
    if (seen.isEmpty()) {
      return "-";
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (Seen s : seen) {
      long v = f.applyAsLong(s);
      if (v < 0) {
        return "not within 180 s";
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return ms(min - t0) + ".." + ms(max - t0);
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%,.0f", nanos / 1e6);
  }

  static Map<String, Double> metrics(EtcdServer etcd) throws IOException, InterruptedException {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create(etcd.endpoint() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      for (String m : METRICS) {
        if (line.startsWith(m + " ") || line.startsWith(m + "{")) {
          out.merge(m, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), Double::sum);
        }
      }
    }
    return out;
  }

  private static <T> T call(Context ctx, Supplier<Future<T>> fn) {
    return ContextCalls.callAsync(ctx, fn, Duration.ofSeconds(300));
  }

  private static PutRequest put(String key, long lease) {
    return PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes("{\"state\":\"ready\"}")).setLease(lease).build();
  }

  private static void flush(Context ctx, EtcdConnection conn, List<PutRequest> puts) {
    if (puts.isEmpty()) {
      return;
    }
    TxnRequest.Builder txn = TxnRequest.newBuilder();
    puts.forEach(p -> txn.addSuccess(RequestOp.newBuilder().setRequestPut(p)));
    TxnRequest req = txn.build();
    call(ctx, () -> conn.unary(KVGrpc.getTxnMethod(), req));
    puts.clear();
  }

  private static boolean[] parseBools(String s) {
    String[] p = s.split(",");
    boolean[] out = new boolean[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = Boolean.parseBoolean(p[i]);
    }
    return out;
  }

  static void deleteTree(Path p) {
    try (var s = Files.walk(p)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
