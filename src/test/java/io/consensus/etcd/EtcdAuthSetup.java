package io.consensus.etcd;

import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.testing.Await;
import io.consensus.testing.EtcdServer;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.Permission;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Supplier;

/** Turns on authentication in a test etcd through its gRPC Auth API. */
public final class EtcdAuthSetup {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private EtcdAuthSetup() {
  }

  /**
   * Adds user {@code root} (password {@code rootPassword}, role root) and user {@code user}
   * (password {@code password}) allowed to read and write keys under {@code prefix}, then
   * enables authentication.
   */
  public static void enable(EtcdServer etcd, String prefix, String user, String password, String rootPassword) {
    Vertx vertx = Vertx.vertx();
    try {
      Context ctx = vertx.getOrCreateContext();
      EtcdConnection c = on(ctx, () -> Future.succeededFuture(new EtcdConnection(vertx, etcd.endpoints(),
          Duration.ofSeconds(5))));
      on(ctx, () -> c.unary(AuthGrpc.getUserAddMethod(), AuthUserAddRequest.newBuilder().setName("root")
          .setPassword(rootPassword).build()));
      on(ctx, () -> c.unary(AuthGrpc.getRoleAddMethod(), AuthRoleAddRequest.newBuilder().setName("root").build())
          .otherwiseEmpty());
      on(ctx, () -> c.unary(AuthGrpc.getUserGrantRoleMethod(), AuthUserGrantRoleRequest.newBuilder().setUser("root")
          .setRole("root").build()));
      on(ctx, () -> c.unary(AuthGrpc.getUserAddMethod(), AuthUserAddRequest.newBuilder().setName(user)
          .setPassword(password).build()));
      on(ctx, () -> c.unary(AuthGrpc.getRoleAddMethod(), AuthRoleAddRequest.newBuilder().setName(user).build()));
      on(ctx, () -> c.unary(AuthGrpc.getRoleGrantPermissionMethod(), AuthRoleGrantPermissionRequest.newBuilder()
          .setName(user).setPerm(Permission.newBuilder().setPermType(Permission.Type.READWRITE)
              .setKey(EtcdKeys.bytes(prefix)).setRangeEnd(EtcdKeys.prefixEnd(prefix))).build()));
      on(ctx, () -> c.unary(AuthGrpc.getUserGrantRoleMethod(), AuthUserGrantRoleRequest.newBuilder().setUser(user)
          .setRole(user).build()));
      on(ctx, () -> c.unary(AuthGrpc.getAuthEnableMethod(), AuthEnableRequest.getDefaultInstance()));
      on(ctx, c::close);
    } finally {
      Await.result(vertx.close(), WAIT);
    }
  }

  private static <T> T on(Context ctx, Supplier<Future<T>> call) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> call.get().onComplete(p));
    return Await.result(p.future(), WAIT);
  }
}
