package io.consensus.internal.etcd;

import io.consensus.etcd.EtcdCallException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.testing.EtcdExtension;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EtcdConnectionTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  private Vertx vertx;
  private Context ctx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    ctx = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private <T> T onContext(Supplier<Future<T>> call) throws Exception {
    return io.consensus.testing.ContextCalls.onContext(ctx, call);
  }

  @Test
  void unaryCallsAnswerOnTheCallersContext() throws Exception {
    EtcdConnection conn = new EtcdConnection(vertx, etcd.server().endpoints(), Duration.ofSeconds(2));
    onContext(() -> conn.unary(KVGrpc.getPutMethod(),
        PutRequest.newBuilder().setKey(EtcdKeys.bytes("/c/a")).setValue(EtcdKeys.bytes("1")).build()));
    RangeResponse resp = onContext(() -> conn.unary(KVGrpc.getRangeMethod(),
        RangeRequest.newBuilder().setKey(EtcdKeys.bytes("/c/")).setRangeEnd(EtcdKeys.prefixEnd("/c/")).build()));
    assertThat(resp.getKvsList()).hasSize(1);
    assertThat(EtcdValues.keyValue(resp.getKvs(0)).value()).isEqualTo("1");
    assertThat(EtcdValues.keyValue(resp.getKvs(0)).key()).isEqualTo("/c/a");
    onContext(conn::close);
  }

  @Test
  void answersLargerThanTheGrpcClientDefaultOf256KiBArrive() throws Exception {
    EtcdConnection conn = new EtcdConnection(vertx, etcd.server().endpoints(), Duration.ofSeconds(10));
    String value = "x".repeat(1000);
    for (int i = 0; i < 400; i++) { // 400 KB in all
      String key = String.format("/big/k%04d", i);
      onContext(() -> conn.unary(KVGrpc.getPutMethod(),
          PutRequest.newBuilder().setKey(EtcdKeys.bytes(key)).setValue(EtcdKeys.bytes(value)).build()));
    }
    RangeResponse resp = onContext(() -> conn.unary(KVGrpc.getRangeMethod(),
        RangeRequest.newBuilder().setKey(EtcdKeys.bytes("/big/")).setRangeEnd(EtcdKeys.prefixEnd("/big/")).build()));
    assertThat(resp.getKvsList()).hasSize(400);
    onContext(conn::close);
  }

  @Test
  void etcdErrorsSurfaceWithTheirStatus() throws Exception {
    EtcdConnection conn = new EtcdConnection(vertx, etcd.server().endpoints(), Duration.ofSeconds(2));
    etcd.server().put("/e", "1");
    long compacted = etcd.server().compact();
    assertThatThrownBy(() -> onContext(() -> conn.unary(KVGrpc.getRangeMethod(),
        RangeRequest.newBuilder().setKey(EtcdKeys.bytes("/e")).setRevision(compacted - 1).build())))
        .isInstanceOfSatisfying(EtcdCallException.class, e -> {
          assertThat(e.status()).isEqualTo(GrpcStatus.OUT_OF_RANGE);
          assertThat(e.isTransportFailure()).isFalse();
          assertThat(e.getMessage()).contains("compacted");
        });
    assertThat(conn.currentEndpoint().url()).isEqualTo(etcd.server().endpoint()); // no rotation
  }

  @Test
  void deadEndpointFailsAndRotates() throws Exception {
    int dead;
    try (var s = new java.net.ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    EtcdConnection conn = new EtcdConnection(vertx,
        List.of("http://127.0.0.1:" + dead, etcd.server().endpoint()), Duration.ofSeconds(2));
    RangeRequest get = RangeRequest.newBuilder().setKey(EtcdKeys.bytes("/x")).build();
    assertThatThrownBy(() -> onContext(() -> conn.unary(KVGrpc.getRangeMethod(), get)))
        .isInstanceOfSatisfying(EtcdCallException.class, e -> {
          assertThat(e.isTransportFailure()).isTrue();
          assertThat(e.status()).isEqualTo(GrpcStatus.UNAVAILABLE);
        });
    assertThat(conn.currentEndpoint().url()).isEqualTo(etcd.server().endpoint());
    assertThat(onContext(() -> conn.unary(KVGrpc.getRangeMethod(), get)).getHeader().getRevision()).isPositive();
  }

  @Test
  void silentEndpointTimesOut() throws Exception {
    NetServer silent = vertx.createNetServer().connectHandler(socket -> { /* never answers */ });
    int port = silent.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get().actualPort();
    EtcdConnection conn = new EtcdConnection(vertx,
        List.of("http://127.0.0.1:" + port, etcd.server().endpoint()), Duration.ofMillis(300));
    RangeRequest get = RangeRequest.newBuilder().setKey(EtcdKeys.bytes("/x")).build();
    long start = System.nanoTime();
    assertThatThrownBy(() -> onContext(() -> conn.unary(KVGrpc.getRangeMethod(), get)))
        .isInstanceOfSatisfying(EtcdCallException.class,
            e -> assertThat(e.status()).isEqualTo(GrpcStatus.DEADLINE_EXCEEDED));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(conn.currentEndpoint().url()).isEqualTo(etcd.server().endpoint());
  }

  @Test
  void opensAWatchStream() throws Exception {
    EtcdConnection conn = new EtcdConnection(vertx, etcd.server().endpoints(), Duration.ofSeconds(2));
    WatchResponse created = onContext(() -> conn.openStream(WatchGrpc.getWatchMethod()).compose(stream -> {
      Promise<WatchResponse> first = Promise.promise();
      stream.request().write(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
          .setKey(EtcdKeys.bytes("/w/")).setRangeEnd(EtcdKeys.prefixEnd("/w/"))).build());
      stream.request().response().onSuccess(resp -> resp.handler(msg -> {
        if (Vertx.currentContext() == ctx) {
          first.tryComplete(msg);
        } else {
          first.tryFail(new AssertionError("watch response on a foreign context"));
        }
        stream.request().cancel();
      })).onFailure(first::tryFail);
      return first.future();
    }));
    assertThat(created.getCreated()).isTrue();
  }

  @Test
  void closedConnectionRefusesCalls() throws Exception {
    EtcdConnection conn = new EtcdConnection(vertx, etcd.server().endpoints(), Duration.ofSeconds(2));
    onContext(conn::close);
    assertThatThrownBy(() -> onContext(() -> conn.unary(KVGrpc.getRangeMethod(), RangeRequest.getDefaultInstance())))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new EtcdConnection(vertx, List.of("nope"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
