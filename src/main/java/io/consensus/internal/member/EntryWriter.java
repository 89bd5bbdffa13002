package io.consensus.internal.member;

import static io.consensus.internal.etcd.EtcdKeys.bytes;

import com.google.protobuf.ByteString;
import io.consensus.internal.allocation.Action;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.route.Keys;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * The member's writes to etcd, each a compare-guarded transaction.
 *
 * <p>A batch of actions goes out as ONE transaction whose operations are nested
 * transactions, one per action, each with its own compares. etcd applies them atomically in
 * one revision, yet each succeeds or fails on its own: a lost race on one item does not void
 * the others (a flat transaction would fail whole on any stale compare).
 *
 * <p>The actions sit in groups of {@value #GROUP}, each group an unconditional transaction:
 * etcd ({@code --max-txn-ops}, 128 by default) checks a nested transaction against what its
 * parent left, 128 minus the parent's operations, so 128 actions directly in the outer
 * transaction would leave none for their compares. Grouped, a batch of 128 leaves each action
 * 128 - 8 - 16 = 104 operations.
 */
public final class EntryWriter {
  /** Actions per group of a batch's transaction. */
  static final int GROUP = 16;

  private final EtcdConnection conn;
  private final Keys keys;
  private final String member;

  public EntryWriter(EtcdConnection conn, Keys keys, String member) {
    this.conn = conn;
    this.keys = keys;
    this.member = member;
  }

  /** Outcome of a batch: the revision etcd answered at, and which actions took effect. */
  public record BatchResult(long revision, List<Boolean> succeeded) {
    public int successes() {
      return (int) succeeded.stream().filter(b -> b).count();
    }
  }

  /**
   * Creates the member key on {@code lease} unless it exists: the revision of the create, or
   * -1 when the key exists.
   */
  public Future<Long> createMember(long lease, String metadata) {
    String key = keys.member(member);
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(createRevisionIs(key, 0))
        .addSuccess(put(key, metadata, lease))
        .build();
    return conn.unary(KVGrpc.getTxnMethod(), txn).map(r -> r.getSucceeded() ? r.getHeader().getRevision() : -1L);
  }

  /**
   * Rewrites the member key's value, on {@code lease}, while it is still the key this member
   * created at {@code createRevision} (a member key that vanished is not re-created here): the
   * revision, or -1 when the key is not ours any more.
   */
  public Future<Long> updateMember(long createRevision, long lease, String value) {
    String key = keys.member(member);
    TxnRequest txn = TxnRequest.newBuilder()
        .addCompare(createRevisionIs(key, createRevision))
        .addSuccess(put(key, value, lease))
        .build();
    return conn.unary(KVGrpc.getTxnMethod(), txn).map(r -> r.getSucceeded() ? r.getHeader().getRevision() : -1L);
  }

  /** Deletes the member key: the start of a graceful exit. */
  public Future<Long> deleteMember() {
    return delete(keys.member(member));
  }

  /**
   * Deletes this member's entry of {@code item} (at either of its keys).
   */
  public Future<Long> deleteEntry(String item) {
    TxnRequest txn = TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
            DeleteRangeRequest.newBuilder().setKey(bytes(keys.entry(item, member)))))
        .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
            DeleteRangeRequest.newBuilder().setKey(bytes(keys.movedEntry(item, member)))))
        .build();
    return conn.unary(KVGrpc.getTxnMethod(), txn).map(r -> r.getHeader().getRevision());
  }

  /**
   * Declares a restart: {@code ROOT/restarts/<member>} holds (and lives on) {@code graceLease},
   * the lease this member's remaining entries now wait on for its next incarnation.
   */
  public Future<Long> declareRestart(long graceLease) {
    String key = keys.restart(member);
    PutRequest put = PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(Long.toString(graceLease)))
        .setLease(graceLease).build();
    return conn.unary(KVGrpc.getPutMethod(), put).map(r -> r.getHeader().getRevision());
  }

  private Future<Long> delete(String key) {
    return conn.unary(KVGrpc.getDeleteRangeMethod(), DeleteRangeRequest.newBuilder().setKey(bytes(key)).build())
        .map(r -> r.getHeader().getRevision());
  }

  /** Applies {@code actions} as one transaction of independent guarded sub-transactions. */
  public Future<BatchResult> apply(List<Action> actions, long lease) {
    return conn.unary(KVGrpc.getTxnMethod(), batch(actions, lease)).map(resp -> {
      List<Boolean> ok = new ArrayList<>(actions.size());
      for (int i = 0; i < actions.size(); i++) {
        ok.add(resp.getResponses(i / GROUP).getResponseTxn().getResponses(i % GROUP).getResponseTxn().getSucceeded());
      }
      return new BatchResult(resp.getHeader().getRevision(), ok);
    });
  }

  /** The outer transaction: groups of {@link #GROUP} guarded transactions, in order. */
  TxnRequest batch(List<Action> actions, long lease) {
    TxnRequest.Builder outer = TxnRequest.newBuilder();
    for (int from = 0; from < actions.size(); from += GROUP) {
      TxnRequest.Builder group = TxnRequest.newBuilder();
      for (Action a : actions.subList(from, Math.min(actions.size(), from + GROUP))) {
        group.addSuccess(RequestOp.newBuilder().setRequestTxn(guarded(a, lease)));
      }
      outer.addSuccess(RequestOp.newBuilder().setRequestTxn(group));
    }
    return outer.build();
  }

  private TxnRequest guarded(Action a, long lease) {
    // Encoded once: the compares and the put or delete on this key share its bytes.
    ByteString key = bytes(keys.entry(a.item(), member, a.moved()));
    TxnRequest.Builder t = TxnRequest.newBuilder();
    switch (a.kind()) {
      case CREATE -> {
        t.addCompare(createRevisionIs(key, 0));
        // Nor at its other key (the entry may have moved since we looked).
        t.addCompare(createRevisionIs(keys.entry(a.item(), member, !a.moved()), 0));
        if (a.markerCreateRevision() > 0) {
          // The item must not have been deleted (and maybe re-added) since we looked.
          t.addCompare(createRevisionIs(keys.item(a.item()), a.markerCreateRevision()));
        } else if (a.anchor() != null) {
          // No marker seen: the entry the item existed through must still stand, or the item
          // was deleted (marker first, then its prefix) after we looked.
          Action.Anchor an = a.anchor();
          t.addCompare(createRevisionIs(keys.entry(a.item(), an.member(), an.moved()), an.createRevision()));
        }
        t.addSuccess(put(key, a.state(), lease));
      }
      case UPDATE -> {
        t.addCompare(modRevisionIs(key, a.expectedModRevision()));
        t.addSuccess(put(key, a.state(), lease));
      }
      case RELEASE -> {
        t.addCompare(modRevisionIs(key, a.expectedModRevision()));
        guards(a, t);
        t.addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
            DeleteRangeRequest.newBuilder().setKey(key)));
      }
      case MOVE -> {
        // Delete the entry's key and create the other of its pair in the same revision: the
        // entry stays (same member, same state) and sorts behind every other entry.
        t.addCompare(modRevisionIs(key, a.expectedModRevision()));
        guards(a, t);
        t.addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
            DeleteRangeRequest.newBuilder().setKey(key)));
        t.addSuccess(put(keys.entry(a.item(), member, !a.moved()), a.state(), lease));
      }
      default -> throw new IllegalStateException(a.kind().toString());
    }
    return t.build();
  }

  private void guards(Action a, TxnRequest.Builder t) {
    for (Action.Guard g : a.guards()) {
      t.addCompare(modRevisionIs(keys.entry(a.item(), g.member(), g.moved()), g.modRevision()));
    }
  }

  private static RequestOp put(String key, String value, long lease) {
    return put(bytes(key), value, lease);
  }

  private static RequestOp put(ByteString key, String value, long lease) {
    return RequestOp.newBuilder()
        .setRequestPut(PutRequest.newBuilder().setKey(key).setValue(bytes(value)).setLease(lease))
        .build();
  }

  private static Compare createRevisionIs(String key, long rev) {
    return createRevisionIs(bytes(key), rev);
  }

  private static Compare createRevisionIs(ByteString key, long rev) {
    return Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
        .setResult(Compare.CompareResult.EQUAL).setCreateRevision(rev).build();
  }

  private static Compare modRevisionIs(String key, long rev) {
    return modRevisionIs(bytes(key), rev);
  }

  private static Compare modRevisionIs(ByteString key, long rev) {
    return Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.MOD)
        .setResult(Compare.CompareResult.EQUAL).setModRevision(rev).build();
  }
}
