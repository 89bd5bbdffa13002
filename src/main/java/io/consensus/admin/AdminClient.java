package io.consensus.admin;

import static io.consensus.internal.etcd.EtcdKeys.bytes;

import io.consensus.etcd.EtcdClientOptions;
import io.consensus.internal.etcd.EtcdConnection;
import io.vertx.core.Vertx;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.internal.route.Keys;
import io.consensus.internal.route.MemberDirectory;
import io.consensus.route.MemberInfo;
import io.consensus.internal.route.Names;
import io.consensus.route.RoutingTable;
import io.consensus.tree.KeyTree;
import io.consensus.tree.Node;
import io.consensus.internal.member.FleetControl;
import io.consensus.internal.watch.SnapshotReader;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and changes a fleet's keyspace directly in etcd, without a lease: the operations
 * behind the admin CLI and the {@code /admin} HTTP API (drain and maintenance through
 * {@link FleetControl}). Every write is one transaction, so
 * nothing is ever half-written; a refused operation fails with {@link AdminException}, an etcd
 * failure with {@code EtcdCallException}. Call from a Vert.x context (answers arrive there).
 */
public final class AdminClient {
  private final EtcdConnection conn;
  private final Keys keys;
  private final List<String> fixedItems;
  private final int replicas;
  private final java.util.Map<String, Integer> itemReplicas;

  /**
   * A client of the fleet under {@code root}, over its own etcd connection built from
   * {@code etcd} (TLS and credentials included); {@link #close()} closes it. Call from a
   * Vert.x context.
   *
   * @param fixedItems the fleet's configured items (shown in tables; cannot be removed)
   * @param replicas   the fleet's R (for counters)
   * @throws io.consensus.config.ConfigException naming a bad key of {@code etcd}
   */
  public static AdminClient create(Vertx vertx, EtcdClientOptions etcd, String root, List<String> fixedItems,
      int replicas) {
    return create(vertx, etcd, root, fixedItems, replicas, java.util.Map.of());
  }

  /**
   * As {@link #create(Vertx, EtcdClientOptions, String, List, int)}, with the R of the fixed
   * items whose R differs from the fleet's (for counters).
   */
  public static AdminClient create(Vertx vertx, EtcdClientOptions etcd, String root, List<String> fixedItems,
      int replicas, java.util.Map<String, Integer> itemReplicas) {
    return new AdminClient(EtcdConnection.open(vertx, etcd), root, fixedItems, replicas, itemReplicas);
  }

  AdminClient(EtcdConnection conn, String root, List<String> fixedItems, int replicas,
      java.util.Map<String, Integer> itemReplicas) {
    this.conn = conn;
    this.keys = new Keys(root);
    this.fixedItems = List.copyOf(fixedItems);
    this.replicas = replicas;
    this.itemReplicas = java.util.Map.copyOf(itemReplicas);
  }

  /** The whole fleet's route table, read at one revision. */
  public Future<RoutingTable> table() {
    return new SnapshotReader(conn, keys.rootPrefix(), 1000).read().map(snap -> {
      KeyTree tree = KeyTree.fromSnapshot(keys.root(), snap.revision(), snap.kvs());
      MemberDirectory directory = new MemberDirectory();
      directory.update(tree);
      return RoutingTable.of(tree, fixedItems, replicas, itemReplicas, directory.members());
    });
  }

  /** The members whose key is present, the drained ones (present or not) and maintenance mode, at one revision. */
  public Future<FleetMembers> members() {
    return table().map(t -> {
      Map<String, MemberInfo> present = new java.util.TreeMap<>();
      t.members().forEach((name, info) -> {
        if (info.present()) {
          present.put(name, info);
        }
      });
      Set<String> drainKeys = new java.util.TreeSet<>();
      Node drained = t.tree().child(Keys.DRAINED_PREFIX);
      if (drained != null) {
        drained.forEachChild(n -> {
          if (n.hasValue()) {
            drainKeys.add(n.name());
          }
        });
      }
      return new FleetMembers(t.revision(), present, drainKeys, maintenance(t));
    });
  }

  /** Whether {@code ROOT/maintenance} is present in {@code table}. */
  public static boolean maintenance(RoutingTable table) {
    Node n = table.tree().child(Keys.MAINTENANCE);
    return n != null && n.hasValue();
  }

  /**
   * Drains {@code member} ({@link FleetControl#drain}): it takes nothing and hands off what it
   * holds, staying up. A member that is not running may be drained ahead of its start; the
   * result says whether its key was present.
   */
  public Future<DrainResult> drain(String member) {
    try {
      checkName("member", member);
    } catch (AdminException e) {
      return Future.failedFuture(e);
    }
    return FleetControl.drain(conn, keys.root(), member).compose(rev -> result(member, true, rev));
  }

  /** Ends an operator's drain of {@code member} ({@link FleetControl#undrain}); a drain by its own config stays. */
  public Future<DrainResult> undrain(String member) {
    try {
      checkName("member", member);
    } catch (AdminException e) {
      return Future.failedFuture(e);
    }
    return FleetControl.undrain(conn, keys.root(), member).compose(rev -> result(member, false, rev));
  }

  /** Switches maintenance mode on or off ({@link FleetControl#maintenance}); completes with the revision. */
  public Future<Long> maintenance(boolean on) {
    return FleetControl.maintenance(conn, keys.root(), on);
  }

  private Future<DrainResult> result(String member, boolean drainKey, long revision) {
    return conn.unary(KVGrpc.getRangeMethod(), RangeRequest.newBuilder().setKey(bytes(keys.member(member))).build())
        .map(r -> {
          boolean present = r.getKvsCount() > 0;
          boolean byConfig = false;
          if (present) {
            try {
              byConfig = Boolean.TRUE.equals(new JsonObject(r.getKvs(0).getValue().toStringUtf8()).getValue("drained"));
            } catch (RuntimeException notJson) {
              // metadata that is not a JSON object cannot say "drained"
            }
          }
          return new DrainResult(member, drainKey, revision, present, byConfig);
        });
  }

  /** Every item, in name order. */
  public Future<List<ItemInfo>> items() {
    Set<String> fixed = Set.copyOf(fixedItems);
    return table().map(t -> {
      Node itemsNode = t.tree().child(Keys.ITEMS_PREFIX);
      List<ItemInfo> out = new ArrayList<>();
      t.routes().forEach(r -> {
        Node n = itemsNode == null ? null : itemsNode.child(r.item());
        out.add(new ItemInfo(r.item(), n != null && n.hasValue() ? n.value() : null, fixed.contains(r.item()), r));
      });
      return out;
    });
  }

  /**
   * Adds {@code item} by putting its marker, with value {@code {"replicas": N}} when
   * {@code replicas} is given, else empty. Fails with CONFLICT when the marker exists.
   *
   * @return the revision of the write
   */
  public Future<Long> addItem(String item, Integer replicas) {
    String marker;
    try {
      marker = keys.item(checkItem(item));
      if (replicas != null && replicas < 0) {
        throw new AdminException(AdminException.Kind.BAD_INPUT, "--replicas must be >= 0, was " + replicas);
      }
    } catch (AdminException e) {
      return Future.failedFuture(e);
    }
    String value = replicas == null ? "" : new JsonObject().put("replicas", replicas).encode();
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(bytes(marker)).setTarget(Compare.CompareTarget.CREATE)
            .setResult(Compare.CompareResult.EQUAL).setCreateRevision(0))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bytes(marker))
            .setValue(bytes(value))))
        .build();
    return conn.unary(KVGrpc.getTxnMethod(), txn).compose(r -> r.getSucceeded()
        ? Future.succeededFuture(r.getHeader().getRevision())
        : Future.failedFuture(new AdminException(AdminException.Kind.CONFLICT, "item '" + item + "' already exists")));
  }

  /**
   * Removes {@code item}: deletes its marker and every key under {@code ROOT/items/<item>/}
   * (never the bare prefix, which would also hit {@code <item>x}) in one transaction. Fails
   * with CONFLICT for a fixed item (the fleet would re-create it) and NOT_FOUND when there
   * was nothing to delete.
   *
   * @return the revision of the write
   */
  public Future<Long> removeItem(String item) {
    String marker;
    try {
      marker = keys.item(checkItem(item));
      if (fixedItems.contains(item)) {
        throw new AdminException(AdminException.Kind.CONFLICT, "item '" + item
            + "' is a fixed item in the configuration ('items'); remove it there");
      }
    } catch (AdminException e) {
      return Future.failedFuture(e);
    }
    String entries = keys.itemEntriesPrefix(item);
    TxnRequest txn = TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(bytes(marker))))
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
            .setKey(bytes(entries)).setRangeEnd(EtcdKeys.prefixEnd(entries))))
        .build();
    return conn.unary(KVGrpc.getTxnMethod(), txn).compose(r -> {
      long deleted = r.getResponses(0).getResponseDeleteRange().getDeleted()
          + r.getResponses(1).getResponseDeleteRange().getDeleted();
      return deleted > 0 ? Future.succeededFuture(r.getHeader().getRevision())
          : Future.failedFuture(new AdminException(AdminException.Kind.NOT_FOUND, "no such item '" + item + "'"));
    });
  }

  /** Closes the etcd connection. */
  public Future<Void> close() {
    return conn.close();
  }

  private static String checkItem(String item) {
    return checkName("item", item);
  }

  private static String checkName(String kind, String name) {
    String problem = Names.problem(name);
    if (problem != null) {
      throw new AdminException(AdminException.Kind.BAD_INPUT, "invalid " + kind + " name '" + name + "': " + problem);
    }
    return name;
  }
}
