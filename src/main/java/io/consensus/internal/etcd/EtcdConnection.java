package io.consensus.internal.etcd;

import io.consensus.etcd.EtcdAuthenticationException;
import io.consensus.etcd.EtcdCallException;
import io.consensus.etcd.EtcdClientOptions;
import io.consensus.etcd.EtcdSecurity;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.AuthenticateResponse;
import io.grpc.MethodDescriptor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
 * <p>Security ({@link EtcdSecurity}): {@code https://} endpoints use TLS with the configured
 * CA and optional client certificate; with user credentials the connection authenticates
 * (etcd's {@code Auth.Authenticate}) before its first call, sends the token as the
 * {@code token} metadata of every call and stream, and authenticates again when etcd says the
 * token is invalid (expired, or lost in an etcd restart) or after a transport failure.
 *
 * <p>Thread-safe; one instance may be shared by verticles on different contexts.
 */
public final class EtcdConnection {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdConnection.class);

  private final Vertx vertx;
  private final List<String> endpointUrls;
  private final List<EtcdEndpoint> endpoints;
  private final Duration callTimeout;
  /** Largest gRPC message accepted from etcd (64 MiB). */
  public static final long MAX_MESSAGE_BYTES = 64L * 1024 * 1024;

  private final GrpcClient client;
  private final EtcdSecurity security;
  private final AtomicInteger current = new AtomicInteger();
  // The auth token (null value: authentication not enabled in etcd); null: authenticate anew.
  private final AtomicReference<Future<String>> token = new AtomicReference<>();
  private volatile boolean closed;

  /**
   * The one way production code opens etcd: endpoints, call timeout, TLS and credentials all
   * from {@code options}, validated there first.
   *
   * @throws io.consensus.config.ConfigException naming the first bad key
   */
  public static EtcdConnection open(Vertx vertx, EtcdClientOptions options) {
    options.validate(true);
    return new EtcdConnection(vertx, options.getEndpoints(), Duration.ofMillis(options.getCallTimeoutMillis()),
        options.getSecurity());
  }

  /**
   * @param endpoints   client URLs {@code http://host:port}, at least one
   * @param callTimeout deadline of every unary call and of opening a stream
   * @throws IllegalArgumentException for an empty list or a malformed endpoint
   */
  public EtcdConnection(Vertx vertx, List<String> endpoints, Duration callTimeout) {
    this(vertx, endpoints, callTimeout, EtcdSecurity.NONE);
  }

  /**
   * @param endpoints   client URLs {@code http://host:port} or, for TLS, all {@code https://host:port}
   * @param callTimeout deadline of every unary call and of opening a stream
   * @param security    TLS files and credentials ({@link EtcdSecurity#NONE} for none)
   * @throws IllegalArgumentException for an empty list, a malformed endpoint, mixed schemes,
   *     TLS files with {@code http://} endpoints, or unreadable files
   */
  public EtcdConnection(Vertx vertx, List<String> endpoints, Duration callTimeout, EtcdSecurity security) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    if (endpoints == null || endpoints.isEmpty()) {
      throw new IllegalArgumentException("at least one etcd endpoint is required");
    }
    this.endpointUrls = List.copyOf(endpoints);
    this.endpoints = endpoints.stream().map(EtcdEndpoint::parse).toList();
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
    }
    this.callTimeout = callTimeout;
    this.security = Objects.requireNonNull(security, "security").validate();
    boolean tls = this.endpoints.get(0).tls();
    if (this.endpoints.stream().anyMatch(e -> e.tls() != tls)) {
      throw new IllegalArgumentException("etcd endpoints mix http:// and https://: " + endpoints);
    }
    if (!tls && security.hasTlsFiles()) {
      throw new IllegalArgumentException("etcd.tls files are set but the endpoints are http://; use https:// endpoints");
    }
    HttpClientOptions http = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, callTimeout.toMillis()));
    if (tls) {
      http.setSsl(true).setUseAlpn(true); // etcd negotiates h2 over TLS with ALPN
      if (security.caFile() != null) {
        http.setTrustOptions(new PemTrustOptions().addCertPath(security.caFile()));
      }
      if (security.certFile() != null) {
        http.setKeyCertOptions(new PemKeyCertOptions().setCertPath(security.certFile()).setKeyPath(security.keyFile()));
      }
    } else {
      http.setHttp2ClearTextUpgrade(false); // etcd speaks h2c with prior knowledge
    }
    // vertx-grpc-client refuses responses above 256 KiB by default: a snapshot page of 5,000
    // keys or one watch response of a lease expiry easily exceeds that.
    this.client = GrpcClient.client(vertx, new GrpcClientOptions()
        .setMaxMessageSize(MAX_MESSAGE_BYTES)
        .setTransportOptions(http));
  }

  /**
   * A second, independent connection with the same endpoints, call timeout and security. Its
   * HTTP/2 connections are made, and their I/O runs, on the event loop of the context that
   * first calls it (vertx-grpc-client's pool uses the caller's event loop): a lease keeper on
   * its own loop needs its own connection, or its traffic waits for the loop that made the
   * shared one.
   */
  public EtcdConnection duplicate() {
    return new EtcdConnection(vertx, endpointUrls, callTimeout, security);
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

  /**
   * Moves to the next endpoint if {@code failed} is still the current one, so that several
   * calls failing on the same endpoint rotate only once.
   */
  public void rotateFrom(EtcdEndpoint failed) {
    forgetToken(); // a restarted etcd forgot its tokens; another member may not know it yet
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
    return unary(method, request, callTimeout);
  }

  /**
   * {@link #unary(MethodDescriptor, Object)} with its own timeout, for idempotent calls a
   * caller retries sooner than {@link #callTimeout()} (a request sent while etcd has no leader
   * may never be answered).
   */
  public <Req, Resp> Future<Resp> unary(MethodDescriptor<Req, Resp> method, Req request, Duration timeout) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("etcd connection is closed"));
    }
    if (!security.hasCredentials()) {
      return call(method, request, null, timeout);
    }
    Context caller = vertx.getOrCreateContext();
    return onCaller(caller, token()).compose(t -> call(method, request, t, timeout).recover(err -> {
      if (isInvalidToken(err)) {
        // The token expired or etcd restarted: authenticate again and retry once (etcd
        // refused the call before doing anything, so the retry is safe).
        forgetToken(t);
        return onCaller(caller, token()).compose(t2 -> call(method, request, t2, timeout));
      }
      return Future.failedFuture(err);
    }));
  }

  private <Req, Resp> Future<Resp> call(MethodDescriptor<Req, Resp> method, Req request, String authToken,
                                        Duration timeout) {
    EtcdEndpoint ep = currentEndpoint();
    String name = method.getBareMethodName();
    Promise<Resp> promise = Promise.promise();
    GrpcClientRequest<Req, Resp>[] sent = newRequestHolder();
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), t -> {
      if (!promise.future().isComplete()) {
        rotateFrom(ep); // before failing: a caller retrying at once goes to the next endpoint
        promise.tryFail(timeout(ep, name, timeout));
        if (sent[0] != null) {
          sent[0].cancel();
        }
      }
    });
    promise.future().onComplete(ar -> vertx.cancelTimer(timer));

    client.request(ep.address(), ArrayCodecs.of(method)).onComplete(ar -> {
      if (ar.failed()) {
        transportFailure(promise, ep, name, ar.cause());
        return;
      }
      GrpcClientRequest<Req, Resp> req = ar.result();
      if (promise.future().isComplete()) { // timed out while connecting
        req.cancel();
        return;
      }
      if (authToken != null) {
        req.headers().set("token", authToken);
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

  // ---- authentication

  /** The current token, authenticating first when there is none (one Authenticate at a time). */
  private Future<String> token() {
    while (true) {
      Future<String> t = token.get();
      if (t != null && !t.failed()) {
        return t;
      }
      Promise<String> p = Promise.promise();
      if (token.compareAndSet(t, p.future())) {
        authenticate().onComplete(p);
        return p.future();
      }
    }
  }

  private Future<String> authenticate() {
    AuthenticateRequest req = AuthenticateRequest.newBuilder().setName(security.user())
        .setPassword(security.password()).build();
    return call(AuthGrpc.getAuthenticateMethod(), req, null, callTimeout).map(AuthenticateResponse::getToken).recover(err -> {
      if (err instanceof EtcdCallException e && e.status() == GrpcStatus.FAILED_PRECONDITION
          && String.valueOf(e.getMessage()).contains("authentication is not enabled")) {
        LOG.warn("etcd: user '{}' configured but authentication is not enabled in etcd; calling without a token",
            security.user());
        return Future.succeededFuture(null);
      }
      if (err instanceof EtcdCallException e && !e.isTransportFailure()) {
        return Future.failedFuture(new EtcdAuthenticationException("etcd refused to authenticate user '"
            + security.user() + "' (check etcd.user and etcd.password): " + e.status() + " "
            + authMessage(e), e));
      }
      return Future.failedFuture(err);
    });
  }

  private static String authMessage(EtcdCallException e) {
    String m = String.valueOf(e.getMessage());
    int i = m.indexOf("etcdserver:");
    return i >= 0 ? m.substring(i) : m;
  }

  private void forgetToken() {
    if (security.hasCredentials()) {
      Future<String> t = token.get();
      if (t != null && t.isComplete()) {
        token.compareAndSet(t, null);
      }
    }
  }

  private void forgetToken(String stale) {
    Future<String> t = token.get();
    if (t != null && t.succeeded() && Objects.equals(t.result(), stale)) {
      token.compareAndSet(t, null);
    }
  }

  private static boolean isInvalidToken(Throwable err) {
    return err instanceof EtcdCallException e && e.status() == GrpcStatus.UNAUTHENTICATED;
  }

  /** {@code f}'s outcome on {@code ctx}: a token may have been fetched by a call on another context. */
  private static <T> Future<T> onCaller(Context ctx, Future<T> f) {
    if (f.isComplete() && Vertx.currentContext() == ctx) {
      return f;
    }
    Promise<T> p = Promise.promise();
    f.onComplete(ar -> {
      if (Vertx.currentContext() == ctx) {
        p.handle(ar);
      } else {
        ctx.runOnContext(v -> p.handle(ar));
      }
    });
    return p.future();
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
    if (!security.hasCredentials()) {
      return open(method, null);
    }
    return onCaller(vertx.getOrCreateContext(), token()).compose(t -> open(method, t));
  }

  private <Req, Resp> Future<EtcdStream<Req, Resp>> open(MethodDescriptor<Req, Resp> method, String authToken) {
    EtcdEndpoint ep = currentEndpoint();
    String name = method.getBareMethodName();
    Promise<EtcdStream<Req, Resp>> promise = Promise.promise();
    long timer = vertx.setTimer(callTimeout.toMillis(), t -> {
      if (!promise.future().isComplete()) {
        rotateFrom(ep);
        promise.tryFail(timeout(ep, name, callTimeout));
      }
    });
    client.request(ep.address(), ArrayCodecs.of(method)).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        transportFailure(promise, ep, name, ar.cause());
        return;
      }
      if (authToken != null) {
        ar.result().headers().set("token", authToken);
      }
      if (!promise.tryComplete(new EtcdStream<>(ep, ar.result()))) {
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

  private EtcdCallException timeout(EtcdEndpoint ep, String name, Duration timeout) {
    return new EtcdCallException(GrpcStatus.DEADLINE_EXCEEDED, ep.url(),
        name + " on " + ep + ": no answer within " + timeout.toMillis() + " ms", true, null);
  }

  @SuppressWarnings("unchecked")
  private static <Req, Resp> GrpcClientRequest<Req, Resp>[] newRequestHolder() {
    return new GrpcClientRequest[1];
  }
}
