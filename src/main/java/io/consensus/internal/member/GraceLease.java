package io.consensus.internal.member;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.lease.LeaseCalls;
import io.vertx.core.Future;

/**
 * The lease a member stopping for a restart leaves its replica entries on: granted with the
 * restart grace as TTL and never kept alive, so that the entries expire by themselves when no
 * next incarnation adopts them in time; revoked by the incarnation that adopted them. The
 * calls are the ones {@code LeaseKeeper} makes ({@link LeaseCalls}), without the keep-alive.
 */
public final class GraceLease {
  private GraceLease() {
  }

  /** Grants a lease of {@code ttlSeconds}: its id. */
  public static Future<Long> grant(EtcdConnection conn, int ttlSeconds) {
    return LeaseCalls.grant(conn, ttlSeconds).map(r -> r.getID());
  }

  /** Revokes {@code lease}: whatever is left on it (not adopted, the declaration) vanishes. */
  public static Future<Void> revoke(EtcdConnection conn, long lease) {
    return LeaseCalls.revoke(conn, lease, conn.callTimeout());
  }
}
