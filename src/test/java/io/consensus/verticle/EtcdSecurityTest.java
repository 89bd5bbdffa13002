package io.consensus.verticle;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.consensus.etcd.EtcdAuthenticationException;
import io.consensus.internal.etcd.EtcdConnection;
import io.consensus.internal.etcd.EtcdKeys;
import io.consensus.admin.AdminClient;
import io.consensus.etcd.EtcdClientOptions;
import io.consensus.etcd.EtcdSecurity;
import io.consensus.spectator.RoutingTableOptions;
import io.consensus.spectator.RoutingTableVerticle;
import io.consensus.etcd.TestCertificates;
import io.consensus.route.Role;
import io.consensus.config.ConfigException;
import io.consensus.testing.EtcdServer;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.Permission;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd over TLS with client certificates, and etcd with authentication, both real. */
class EtcdSecurityTest {
  static final List<String> ITEMS = List.of("a", "b", "c");
  static final String PASSWORD = "s3cret-pass";

  @TempDir
  Path tmp;
  EtcdServer etcd;
  TestFleet fleet;

  @AfterEach
  void tearDown() {
    if (fleet != null) {
      fleet.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  // ---------------------------------------------------------------- TLS

  @Test
  void membersWorkOverTlsWithAClientCertificateAndAreRefusedWithoutOne() throws Exception {
    TestCertificates certs = TestCertificates.create(tmp.resolve("pki"));
    int tlsPort = freePort();
    String tlsEndpoint = "https://127.0.0.1:" + tlsPort;
    Process etcdTls = certs.startEtcd(tmp, tlsPort, freePort());
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.Context ctx = vertx.getOrCreateContext();
      EtcdSecurity tls = EtcdSecurity.NONE.withTls(certs.caCert().toString(), certs.clientCert().toString(),
          certs.clientKey().toString());
      EtcdConnection good = onContext(ctx, () -> new EtcdConnection(vertx, List.of(tlsEndpoint),
          Duration.ofSeconds(5), tls));
      io.consensus.testing.Await.until("etcd answers over TLS", Duration.ofSeconds(30), () -> {
        try {
          onContextAwait(ctx, () -> range(good, "/tls/"));
          return true;
        } catch (RuntimeException e) {
          return false;
        }
      });

      AllocatorVerticle m = new AllocatorVerticle(new AllocatorOptions().setEndpoints(List.of(tlsEndpoint))
          .setRoot("/tls").setMember("m1").setItems(ITEMS).setLeaseTtlSeconds(4).setEtcdSecurity(tls));
      String memberId = TestFleet.await(vertx.deployVerticle(m));
      TestFleet.awaitCondition("m1 masters all over TLS", () -> TestFleet.await(m.routes()).values().stream()
          .filter(c -> c.role() == Role.MASTER).count() == ITEMS.size(), () -> "");
      assertThat(onContextAwait(ctx, () -> range(good, "/tls/items/"))).isEqualTo(ITEMS.size());

      // The spectator and the admin client reach the same etcd through the same client options.
      EtcdClientOptions client = new EtcdClientOptions().setEndpoints(List.of(tlsEndpoint)).setSecurity(tls);
      assertSpectatorAndAdminSee(vertx, ctx, client, "/tls", "m1");

      // Without a client certificate etcd refuses the handshake.
      EtcdConnection noCert = onContext(ctx, () -> new EtcdConnection(vertx, List.of(tlsEndpoint),
          Duration.ofSeconds(5), EtcdSecurity.NONE.withTls(certs.caCert().toString(), null, null)));
      assertThat(TestFleet.awaitFailure(onContext(ctx, () -> range(noCert, "/tls/"))))
          .isInstanceOf(io.consensus.etcd.EtcdCallException.class);
      // A CA that did not sign etcd's certificate: etcd is not trusted.
      TestCertificates other = TestCertificates.create(tmp.resolve("other"));
      EtcdConnection untrusted = onContext(ctx, () -> new EtcdConnection(vertx, List.of(tlsEndpoint),
          Duration.ofSeconds(5), EtcdSecurity.NONE.withTls(other.caCert().toString(), certs.clientCert().toString(),
              certs.clientKey().toString())));
      Throwable distrusted = TestFleet.awaitFailure(onContext(ctx, () -> range(untrusted, "/tls/")));
      assertThat(rootCauseOfType(distrusted, javax.net.ssl.SSLException.class)).as("%s", distrusted).isNotNull();
      TestFleet.await(vertx.undeploy(memberId));
      assertThat(onContextAwait(ctx, () -> range(good, "/tls/"))).as("a graceful stop leaves nothing").isZero();
    } finally {
      TestFleet.await(vertx.close());
      etcdTls.destroy();
      etcdTls.waitFor();
    }
  }

  /** A spectator follows {@code root} and an admin client reads it, both with {@code client}'s TLS or credentials. */
  static void assertSpectatorAndAdminSee(io.vertx.core.Vertx vertx, io.vertx.core.Context ctx, EtcdClientOptions client,
      String root, String master) {
    RoutingTableVerticle spectator = new RoutingTableVerticle(new RoutingTableOptions().setEtcdClientOptions(client)
        .setRoot(root).setItems(ITEMS));
    String id = TestFleet.await(vertx.deployVerticle(spectator));
    TestFleet.awaitCondition("the spectator sees " + master + " master every item", () -> ITEMS.stream()
        .allMatch(i -> spectator.masterOf(i) != null && spectator.masterOf(i).member().equals(master)),
        () -> spectator.table().toString());
    TestFleet.await(vertx.undeploy(id));
    AdminClient admin = onContext(ctx, () -> AdminClient.create(vertx, client, root, ITEMS, 0));
    try {
      assertThat(onContextAwait(ctx, admin::members).presentOrDrained()).containsExactly(master);
      assertThat(onContextAwait(ctx, admin::items)).hasSize(ITEMS.size());
    } finally {
      onContextAwait(ctx, admin::close);
    }
  }

  static <T> T onContextAwait(io.vertx.core.Context ctx, java.util.function.Supplier<Future<T>> fn) {
    return TestFleet.await(onContext(ctx, fn));
  }

  @Test
  void tlsFilesWithPlainEndpointsOrHalfAClientCertificateAreRefusedNamingTheKey() throws IOException {
    Path ca = Files.writeString(tmp.resolve("ca.pem"), "x");
    AllocatorOptions base = new AllocatorOptions().setRoot("/x").setMember("m").setEndpoints(List.of("http://127.0.0.1:2379"));
    assertThatConfig(base.setEtcdSecurity(EtcdSecurity.NONE.withTls(ca.toString(), null, null)), "etcd.endpoints");
    base.setEndpoints(List.of("https://127.0.0.1:2379"));
    assertThatConfig(base.setEtcdSecurity(EtcdSecurity.NONE.withTls(null, ca.toString(), null)), "etcd.tls.keyFile");
    assertThatConfig(base.setEtcdSecurity(EtcdSecurity.NONE.withTls(tmp.resolve("nope").toString(), null, null)),
        "etcd.tls.caFile");
    assertThatConfig(base.setEtcdSecurity(EtcdSecurity.NONE.withCredentials("u", null)), "etcd.password");
  }

  static void assertThatConfig(AllocatorOptions o, String key) {
    try {
      o.validate(true);
    } catch (ConfigException e) {
      assertThat(e.key()).isEqualTo(key);
      return;
    }
    throw new AssertionError("expected a ConfigException for " + key);
  }

  // ---------------------------------------------------------------- authentication

  @Test
  void membersAuthenticateAndAWrongPasswordIsAClearErrorThatNeverShowsThePassword() {
    etcd = EtcdServer.start();
    fleet = new TestFleet(etcd, "/sec");
    io.consensus.etcd.EtcdAuthSetup.enable(etcd, "/sec/", "alloc", PASSWORD, "root-" + PASSWORD);

    AllocatorVerticle m = fleet.deploy(fleet.options("m1", 0, ITEMS).setEtcdSecurity(
        EtcdSecurity.NONE.withCredentials("alloc", PASSWORD)), ItemHandler.DEFAULT);
    EtcdConnection root = rootConnection();
    TestFleet.awaitCondition("m1 masters all with auth", () -> TestFleet.await(m.routes()).values().stream()
        .filter(c -> c.role() == Role.MASTER).count() == ITEMS.size(), () -> "");
    assertThat(TestFleet.await(fleet.onContext(() -> range(root, "/sec/items/")))).isGreaterThanOrEqualTo(3);
    assertSpectatorAndAdminSee(fleet.vertx, fleet.onContext(fleet.vertx::getOrCreateContext),
        new EtcdClientOptions().setEndpoints(etcd.endpoints()).setCredentials("alloc", PASSWORD), "/sec", "m1");

    // etcd forgets its tokens when it restarts: the member authenticates again and carries on.
    etcd.restart();
    fleet.onContext(() -> m.cancelItem("a"));
    TestFleet.awaitCondition("m1 masters all again after the restart", () -> TestFleet.await(m.routes()).values()
        .stream().filter(c -> c.role() == Role.MASTER).count() == ITEMS.size() && m.isHealthy(), () -> "");

    AllocatorOptions wrong = fleet.options("m2", 0, ITEMS).setEtcdSecurity(
        EtcdSecurity.NONE.withCredentials("alloc", "wrong-" + PASSWORD));
    Throwable err = TestFleet.awaitFailure(fleet.vertx.deployVerticle(new AllocatorVerticle(wrong)));
    assertThat(rootCauseOfType(err, EtcdAuthenticationException.class)).isNotNull();
    assertThat(err.getMessage()).contains("alloc").contains("etcd.password").doesNotContain(PASSWORD);
    assertThat(wrong.toString()).doesNotContain(PASSWORD).contains("***");
    assertThat(wrong.getEtcdSecurity().toString()).doesNotContain(PASSWORD);

    // No credentials at all: etcd says the user name is empty.
    Throwable none = TestFleet.awaitFailure(fleet.vertx.deployVerticle(new AllocatorVerticle(fleet.options("m3", 0,
        ITEMS))));
    assertThat(String.valueOf(none.getMessage())).contains("user name is empty");
    fleet.onContext(root::close);
  }

  EtcdConnection rootConnection() {
    return fleet.onContext(() -> new EtcdConnection(fleet.vertx, etcd.endpoints(), Duration.ofSeconds(5),
        EtcdSecurity.NONE.withCredentials("root", "root-" + PASSWORD)));
  }

  static Future<Long> range(EtcdConnection c, String prefix) {
    return c.unary(KVGrpc.getRangeMethod(), RangeRequest.newBuilder().setKey(EtcdKeys.bytes(prefix))
        .setRangeEnd(EtcdKeys.prefixEnd(prefix)).setCountOnly(true).build()).map(r -> r.getCount());
  }

  static <T> T onContext(io.vertx.core.Context ctx, java.util.function.Supplier<T> fn) {
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    ctx.runOnContext(v -> p.complete(fn.get()));
    return TestFleet.await(p.future());
  }

  static Throwable rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  static <T extends Throwable> T rootCauseOfType(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }

}
