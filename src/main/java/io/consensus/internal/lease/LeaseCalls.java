package io.consensus.internal.lease;

import io.consensus.etcd.EtcdCallException;
import io.consensus.internal.etcd.EtcdConnection;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;

/**
 * The two lease calls every lease of the library goes through, kept alive ({@link LeaseKeeper})
 * or not (a member's grace lease for a restart): grant, and revoke. Both complete on the
 * calling context.
 */
public final class LeaseCalls {
  private LeaseCalls() {
  }

  /**
   * Grants a lease of {@code ttlSeconds}. etcd may raise a short TTL to its minimum: the answer's
   * TTL is the one it enforces.
   *
   * @return etcd's answer; a failure ({@link EtcdCallException}, or {@link IllegalStateException}
   *     when etcd answered with an error or no TTL)
   */
  public static Future<LeaseGrantResponse> grant(EtcdConnection conn, long ttlSeconds) {
    return conn.unary(LeaseGrpc.getLeaseGrantMethod(), LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build())
        .compose(resp -> !resp.getError().isEmpty() || resp.getTTL() <= 0
            ? Future.failedFuture(new IllegalStateException("etcd refused the lease grant: ttl=" + resp.getTTL()
                + " error=" + resp.getError()))
            : Future.succeededFuture(resp));
  }

  /**
   * Revokes {@code lease}, deleting every key attached to it; waits at most {@code timeout}. A
   * lease etcd no longer has (expired, revoked) counts as revoked: the goal is reached.
   */
  public static Future<Void> revoke(EtcdConnection conn, long lease, Duration timeout) {
    return conn.unary(LeaseGrpc.getLeaseRevokeMethod(), LeaseRevokeRequest.newBuilder().setID(lease).build(), timeout)
        .<Void>mapEmpty()
        .recover(err -> err instanceof EtcdCallException e && e.status() == GrpcStatus.NOT_FOUND
            ? Future.succeededFuture() : Future.failedFuture(err));
  }
}
