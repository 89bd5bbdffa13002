package io.consensus.internal.member;

import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.MemberExistsException;
import io.consensus.etcd.EtcdCallException;
import io.consensus.internal.etcd.Backoff;
import io.consensus.internal.etcd.Retries;
import io.consensus.internal.lease.KeeperLoop;
import io.consensus.internal.lease.LeaseKeeper;
import io.consensus.internal.lease.LeaseOptions;
import io.consensus.internal.route.MemberRecord;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a member to the fleet: grants its lease (kept on a {@link KeeperLoop}: another event
 * loop and connection than the allocator's) and creates its member key on it. While the key exists (another process, or an earlier incarnation
 * whose lease has not expired) it retries until a deadline, then fails with
 * {@link MemberExistsException}; a failed join revokes its lease, leaving nothing behind.
 */
public final class MemberRegistration {
  private static final Logger LOG = LoggerFactory.getLogger(MemberRegistration.class);
  // Polling for the key in the way to go (its lease expiring or revoked): jittered, so that
  // members restarted together do not poll in lockstep. At the cap a poll follows the key's
  // removal after 250 ms on average (cap / 3), as the fixed 500 ms poll did (period / 2).
  private static final Duration RETRY_BASE = Duration.ofMillis(500);
  private static final Duration RETRY_CAP = Duration.ofMillis(750);

  /** A joined member: its lease, and the revision at which its member key was created. */
  public record Joined(LeaseKeeper lease, long revision) {
  }

  private final KeeperLoop keeperLoop;
  private final EntryWriter writer;
  private final String memberKey;
  private final AllocatorOptions options;
  private final LeaseOptions leaseOptions;
  private final BooleanSupplier drained;

  /**
   * @param keeperLoop where the lease is kept
   * @param writer     the allocator's writer (its connection), which creates the member key
   * @param drained whether the member key written on a join carries the reserved {@code drained}
   *                field now (an undrain clears it at run time; {@code options} stay as configured)
   */
  public MemberRegistration(KeeperLoop keeperLoop, EntryWriter writer, String memberKey,
      AllocatorOptions options, BooleanSupplier drained) {
    this(keeperLoop, writer, memberKey, options,
        new LeaseOptions().setTtlSeconds(options.getLeaseTtlSeconds()), drained);
  }

  public MemberRegistration(KeeperLoop keeperLoop, EntryWriter writer, String memberKey,
      AllocatorOptions options, LeaseOptions leaseOptions) {
    this(keeperLoop, writer, memberKey, options, leaseOptions, options::isDrained);
  }

  private MemberRegistration(KeeperLoop keeperLoop, EntryWriter writer, String memberKey,
      AllocatorOptions options, LeaseOptions leaseOptions, BooleanSupplier drained) {
    this.drained = drained;
    this.leaseOptions = leaseOptions;
    this.keeperLoop = keeperLoop;
    this.writer = writer;
    this.memberKey = memberKey;
    this.options = options;
  }

  /**
   * Joins, retrying while the member key exists until {@code deadlineNanos} or until
   * {@code abandoned} says to stop, the waits scheduled through the owner's {@code retries}
   * (none once they are stopped). Call on the allocator's context: the result and
   * {@code onLeaseLost} run there.
   */
  public Future<Joined> join(Retries retries, long deadlineNanos, BooleanSupplier abandoned,
      Handler<String> onLeaseLost) {
    return LeaseKeeper.grant(keeperLoop, leaseOptions, onLeaseLost).compose(lease ->
        retries.retry(new Backoff(RETRY_BASE, RETRY_CAP), attempt -> createMember(lease), (err, attempt, delay) -> {
          if (!(err instanceof MemberExistsException) || System.nanoTime() >= deadlineNanos
              || abandoned.getAsBoolean()) {
            return false;
          }
          if (attempt == 1) {
            LOG.info("member key {} exists; waiting for it to go", memberKey);
          }
          return true;
        })
            .map(rev -> new Joined(lease, rev))
            .recover(err -> lease.revoke().transform(x -> Future.failedFuture(err))));
  }

  /** One attempt: the member key's create revision, or a {@link MemberExistsException} while the key is in the way. */
  private Future<Long> createMember(LeaseKeeper lease) {
    if (lease.isLost()) {
      return Future.failedFuture(lostWhileJoining(lease));
    }
    return writer.createMember(lease.id(), memberValue(options, drained.getAsBoolean()).encode()).recover(err ->
        // etcd no longer has the lease (expired while this process stalled, or revoked): lost.
        Future.failedFuture(err instanceof EtcdCallException e && e.status() == GrpcStatus.NOT_FOUND
            ? lostWhileJoining(lease) : err)).compose(rev -> {
      if (lease.isLost()) {
        // etcd may still hold the lease (the keeper steps down a margin early), but nothing
        // renews it any more: a member key on it would make us a member on a dead lease.
        return Future.failedFuture(lostWhileJoining(lease));
      }
      return rev > 0 ? Future.succeededFuture(rev) : Future.failedFuture(new MemberExistsException(memberKey));
    });
  }

  /** The member key value {@code options} describe (metadata and reserved fields), drained or not. */
  public static MemberRecord memberValue(AllocatorOptions options, boolean drained) {
    return MemberRecord.declared(options.getMetadata(), options.getZone(), options.getItemLimit(), options.getWeight(),
        drained);
  }

  private static LeaseLostException lostWhileJoining(LeaseKeeper lease) {
    return new LeaseLostException("etcd lease " + lease.id() + " was lost while joining; a new one is needed");
  }

  /** The lease was declared lost before the member key could be created on it. */
  public static final class LeaseLostException extends RuntimeException {
    public LeaseLostException(String message) {
      super(message);
    }
  }
}
