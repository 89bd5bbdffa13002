package io.consensus.internal.member;

import static io.consensus.internal.etcd.EtcdKeys.bytes;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.route.Keys;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Operators' switches over a fleet, as plain etcd writes any process may make (CLI, admin HTTP,
 * a member itself). None of these keys has a lease: they persist until switched off.
 * <ul>
 *   <li>{@link #drain}: {@code ROOT/drained/<member>}; the named member takes nothing and hands
 *       off what it holds (masters in place first, then replicas), staying up and healthy;</li>
 *   <li>{@link #maintenance}: {@code ROOT/maintenance}; members only keep items staffed and
 *       mastered (failover, filling short items, state updates), with no balancing moves.</li>
 * </ul>
 * Each Future completes with the etcd revision of the write.
 */
public final class FleetControl {
  private FleetControl() {
  }

  /** Drains {@code member} of the fleet under {@code root} (it need not be running). */
  public static Future<Long> drain(EtcdConnection conn, String root, String member) {
    return put(conn, new Keys(root).drained(member), new JsonObject().put("since", Instant.now().toString()).encode());
  }

  /** Ends an operator's drain of {@code member}. */
  public static Future<Long> undrain(EtcdConnection conn, String root, String member) {
    return delete(conn, new Keys(root).drained(member));
  }

  /** Switches maintenance mode of the fleet under {@code root} on or off. */
  public static Future<Long> maintenance(EtcdConnection conn, String root, boolean on) {
    String key = new Keys(root).maintenance();
    return on ? put(conn, key, new JsonObject().put("since", Instant.now().toString()).encode()) : delete(conn, key);
  }

  private static Future<Long> put(EtcdConnection conn, String key, String value) {
    return conn.unary(KVGrpc.getPutMethod(), PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build())
        .map(r -> r.getHeader().getRevision());
  }

  private static Future<Long> delete(EtcdConnection conn, String key) {
    return conn.unary(KVGrpc.getDeleteRangeMethod(), DeleteRangeRequest.newBuilder().setKey(bytes(key)).build())
        .map(r -> r.getHeader().getRevision());
  }
}
