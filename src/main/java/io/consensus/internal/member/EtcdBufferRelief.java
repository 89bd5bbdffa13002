package io.consensus.internal.member;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.lease.LeaseCalls;
import io.consensus.tree.WatchUpdate;
import io.vertx.core.Future;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spares etcd 3.4 the cost a revision of many keys leaves behind. etcd's backend keeps writes not
 * yet committed in a read buffer per bucket, and every read transaction (each Txn's compares,
 * each Range) copies that buffer at its capacity, not its use. A revision of many keys (a dead
 * member's lease revoked with its 75,000 entries) grows the key bucket's buffer to hold them all,
 * and etcd drops the buffer only at a backend commit in whose interval (100 ms) no key was
 * written; while the fleet refills, members write in every interval, and each of their
 * transactions costs etcd three to four times its CPU (`RevokeAftermathBench`).
 *
 * <p>So when a member sees such a revision it grants a throwaway lease and revokes it at once:
 * two writes outside the key bucket that make etcd commit while no member writes a key (every
 * member is still applying the large revision; none decides before it is applied in full), so
 * the buffer is dropped. No key is attached to the lease; a failed call changes nothing (a lease
 * not revoked expires after {@value #TTL_SECONDS} s). At most one such pair is in flight.
 */
public final class EtcdBufferRelief {
  /** A revision with this many events or more: etcd's buffer then holds at least as many entries. */
  public static final int MIN_EVENTS = 4_096;
  static final long TTL_SECONDS = 5;
  private static final Logger LOG = LoggerFactory.getLogger(EtcdBufferRelief.class);

  private final EtcdConnection conn;
  private final int minEvents;
  private boolean inFlight;
  private long sent;

  public EtcdBufferRelief(EtcdConnection conn) {
    this(conn, MIN_EVENTS);
  }

  EtcdBufferRelief(EtcdConnection conn, int minEvents) {
    this.conn = conn;
    this.minEvents = minEvents;
  }

  /**
   * Called with each watch update as it arrives (on the connection's context): a change of
   * {@link #MIN_EVENTS} events or more starts the grant and revoke; the future completes when
   * both are answered (or at once, with false, when nothing was sent).
   */
  public Future<Boolean> seen(WatchUpdate update) {
    if (!(update instanceof WatchUpdate.Changes c) || c.events().size() < minEvents || inFlight) {
      return Future.succeededFuture(false);
    }
    inFlight = true;
    sent++;
    int events = c.events().size();
    return LeaseCalls.grant(conn, TTL_SECONDS)
        .compose(lease -> LeaseCalls.revoke(conn, lease.getID(), Duration.ofSeconds(TTL_SECONDS)))
        .map(v -> {
          // INFO: rare (a member's death, a bulk change), and an operator reading etcd's lease
          // requests should know why a member grants a lease it never uses.
          LOG.info("revision {} of {} events: a throwaway lease granted and revoked (etcd drops its read buffer)",
              c.revision(), events);
          return true;
        })
        .recover(err -> {
          LOG.info("revision {} of {} events: the throwaway lease failed ({}); etcd keeps its read buffer a while",
              c.revision(), events, err.toString());
          return Future.succeededFuture(false);
        })
        .onComplete(x -> inFlight = false);
  }

  /** How many pairs were started so far. */
  public long sent() {
    return sent;
  }
}
