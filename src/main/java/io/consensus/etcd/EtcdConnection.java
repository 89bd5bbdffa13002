package io.consensus.etcd;

import io.grpc.MethodDescriptor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's gRPC API over vertx-grpc-client: responses arrive on the Vert.x context that
 * made the call, never on a foreign thread.
 *
 * <p>Talks to one endpoint at a time. A transport failure (connection refused or reset,
 * UNAVAILABLE, timeout) fails that call with an {@link EtcdCallException} and rotates to
 * the next endpoint; callers decide whether to retry (a retried non-idempotent write is a
 * decision, not a default). Every unary call has a timeout, so nothing hangs forever.
 *
 * <p>Thread-safe; one instance may be shared by verticles on different contexts.
 */
public final class EtcdConnection {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdConnection.class);

  private final Vertx vertx;
  private final List<EtcdEndpoint> endpoints;
  private final Duration callTimeout;
  /** Largest gRPC message accepted from etcd (64 MiB). */
  public static final long MAX_MESSAGE_BYTES = 64L * 1024 * 1024;

  private final GrpcClient client;
  private final AtomicInteger current = new AtomicInteger();
  private volatile boolean closed;

  /**
   * @param endpoints   client URLs {@code http://host:port}, at least one
   * @param callTimeout deadline of every unary call and of opening a stream
   * @throws IllegalArgumentException for an empty list or a malformed endpoint
   */
  public EtcdConnection(Vertx vertx, List<String> endpoints, Duration callTimeout) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    if (endpoints == null || endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one etcd endpoint is required");
    }
    this.endpoints = endpoints.stream().map(EtcdEndpoint::parse).toList();
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
    }
    this.callTimeout = callTimeout;
    // vertx-grpc-client refuses responses above 256 KiB by default: a snapshot page of 5,000
    // keys or one watch response of a lease expiry easily exceeds that.
    this.client = GrpcClient.client(vertx, new GrpcClientOptions()
        .setMaxMessageSize(MAX_MESSAGE_BYTES)
        .setTransportOptions(new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2)
            .setHttp2ClearTextUpgrade(false) // etcd speaks h2c with prior knowledge
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, callTimeout.toMillis()))));
  }

  /** All endpoints, in rotation order. */
  public List<EtcdEndpoint> endpoints() {
    return endpoints;
  }

  /** The endpoint the next call goes to. */
  public EtcdEndpoint currentEndpoint() {
    return endpoints.get(Math.floorMod(current.get(), endpoints.size()));
  }

  /** The deadline of unary calls. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** Moves to the next endpoint. */
  public void rotate() {
    int i = current.incrementAndGet();
    if (endpoints.size() > 1) {
      LOG.info("etcd: switching to endpoint {}", endpoints.get(Math.floorMod(i, endpoints.size())));
    }
  }

  /**
   * Moves to the next endpoint if {@code failed} is still the current one, so that several
   * calls failing on the same endpoint rotate only once.
   */
  public void rotateFrom(EtcdEndpoint failed) {
    int i = current.get();
    if (endpoints.get(Math.floorMod(i, endpoints.size())).equals(failed) && current.compareAndSet(i, i + 1)) {
      if (endpoints.size() > 1) {
        LOG.info("etcd: endpoint {} failed, switching to {}", failed, currentEndpoint());
      }
    }
  }

  /**
   * Calls a unary method (e.g. {@code KVGrpc.getRangeMethod()}) on the current endpoint.
   *
   * @return the response, or a failure with {@link EtcdCallException} (non-OK status,
   *     transport failure, or timeout after {@link #callTimeout()})
   */
  public <Req, Resp> Future<Resp> unary(MethodDescriptor<Req, Resp> method, Req request) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("etcd connection is closed"));
    }
    EtcdEndpoint ep = currentEndpoint();
    String name = method.getBareMethodName();
    Promise<Resp> promise = Promise.promise();
    GrpcClientRequest<Req, Resp>[] sent = newRequestHolder();
    long timer = vertx.setTimer(callTimeout.toMillis(), t -> {
      if (!promise.future().isComplete()) {
        rotateFrom(ep); // before failing: a caller retrying at once goes to the next endpoint
        promise.tryFail(timeout(ep, name));
        if (sent[0] != null) {
          sent[0].cancel();
        }
      }
    });
    promise.future().onComplete(ar -> vertx.cancelTimer(timer));

    client.request(ep.address(), method).onComplete(ar -> {
      if (ar.failed()) {
        transportFailure(promise, ep, name, ar.cause());
        return;
      }
      GrpcClientRequest<Req, Resp> req = ar.result();
      if (promise.future().isComplete()) { // timed out while connecting
        req.cancel();
        return;
      }
      sent[0] = req;
      req.send(request).onComplete(rar -> {
        if (rar.failed()) {
          transportFailure(promise, ep, name, rar.cause());
        } else {
          readUnary(rar.result(), promise, ep, name);
        }
      });
    });
    return promise.future();
  }

  private <Req, Resp> void readUnary(GrpcClientResponse<Req, Resp> resp, Promise<Resp> promise,
                                     EtcdEndpoint ep, String name) {
    Object[] value = new Object[1];
    resp.handler(msg -> value[0] = msg);
    resp.exceptionHandler(err -> transportFailure(promise, ep, name, err));
    resp.endHandler(v -> {
      GrpcStatus status = resp.status();
      if (status == GrpcStatus.OK && value[0] != null) {
        @SuppressWarnings("unchecked")
        Resp r = (Resp) value[0];
        promise.tryComplete(r);
      } else if (status == GrpcStatus.UNAVAILABLE) {
        // etcd says UNAVAILABLE for "no leader" and when stopping: another member may serve us.
        if (!promise.future().isComplete()) {
          rotateFrom(ep);
          promise.tryFail(new EtcdCallException(status, ep.url(),
              name + " on " + ep + ": " + status + " " + resp.statusMessage(), true, null));
        }
      } else {
        GrpcStatus s = status == null || status == GrpcStatus.OK ? GrpcStatus.UNKNOWN : status;
        promise.tryFail(new EtcdCallException(s, ep.url(),
            name + " on " + ep + ": " + s + " " + (value[0] == null && status == GrpcStatus.OK
                ? "no response message" : resp.statusMessage()), false, null));
      }
    });
  }

  /**
   * Opens a bidirectional stream (e.g. {@code WatchGrpc.getWatchMethod()}) on the current
   * endpoint. Fails with {@link EtcdCallException} (and rotates) when the endpoint cannot
   * be reached within {@link #callTimeout()}.
   */
  public <Req, Resp> Future<EtcdStream<Req, Resp>> openStream(MethodDescriptor<Req, Resp> method) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("etcd connection is closed"));
    }
    EtcdEndpoint ep = currentEndpoint();
    String name = method.getBareMethodName();
    Promise<EtcdStream<Req, Resp>> promise = Promise.promise();
    long timer = vertx.setTimer(callTimeout.toMillis(), t -> {
      if (!promise.future().isComplete()) {
        rotateFrom(ep);
        promise.tryFail(timeout(ep, name));
      }
    });
    client.request(ep.address(), method).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        transportFailure(promise, ep, name, ar.cause());
      } else if (!promise.tryComplete(new EtcdStream<>(ep, ar.result()))) {
        // Too late: the caller already saw a timeout. The handler keeps Vert.x from logging
        // the reset of a stream nobody listens to as an error.
        ar.result().exceptionHandler(err -> { });
        ar.result().cancel();
      }
    });
    return promise.future();
  }

  /** Closes the underlying HTTP/2 connections; later calls fail. Idempotent. */
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    return client.close();
  }

  private <T> void transportFailure(Promise<T> promise, EtcdEndpoint ep, String name, Throwable cause) {
    if (!promise.future().isComplete()) {
      rotateFrom(ep); // before failing: a caller retrying at once goes to the next endpoint
      promise.tryFail(new EtcdCallException(GrpcStatus.UNAVAILABLE, ep.url(),
          name + " on " + ep + " failed: " + cause, true, cause));
    }
  }

  private EtcdCallException timeout(EtcdEndpoint ep, String name) {
    return new EtcdCallException(GrpcStatus.DEADLINE_EXCEEDED, ep.url(),
        name + " on " + ep + ": no answer within " + callTimeout.toMillis() + " ms", true, null);
  }

  @SuppressWarnings("unchecked")
  private static <Req, Resp> GrpcClientRequest<Req, Resp>[] newRequestHolder() {
    return new GrpcClientRequest[1];
  }
}
