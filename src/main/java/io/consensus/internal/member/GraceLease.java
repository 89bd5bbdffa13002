package io.consensus.internal.member;

import io.consensus.internal.etcd.EtcdConnection;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.vertx.core.Future;

/**
 * The lease a member stopping for a restart leaves its replica entries on: granted with the
 * restart grace as TTL and never kept alive, so that the entries expire by themselves when no
 * next incarnation adopts them in time; revoked by the incarnation that adopted them.
 */
public final class GraceLease {
  private GraceLease() {
  }

  /** Grants a lease of {@code ttlSeconds}: its id. */
  public static Future<Long> grant(EtcdConnection conn, int ttlSeconds) {
    return conn.unary(LeaseGrpc.getLeaseGrantMethod(), LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build())
        .map(r -> r.getID());
  }

  /** Revokes {@code lease}: whatever is left on it (not adopted, the declaration) vanishes. */
  public static Future<Void> revoke(EtcdConnection conn, long lease) {
    return conn.unary(LeaseGrpc.getLeaseRevokeMethod(), LeaseRevokeRequest.newBuilder().setID(lease).build())
        .mapEmpty();
  }
}
