package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.etcd.EtcdAuthSetup;
import io.consensus.etcd.TestCertificates;
import io.consensus.testing.EtcdServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every client in the jar reaches a secured etcd with the same {@code etcd.*} keys: a member
 * (with the admin API on), a {@code "role": "spectator"} process and the admin CLI's
 * {@code routes}, {@code members} and {@code items list}, against an etcd demanding client
 * certificates, and against an etcd with authentication.
 */
class SecuredEtcdIT {
  static final String TOKEN = "it-admin-token-1234";
  static final String PASSWORD = "it-secured-pass-42";

  @TempDir
  Path tmp;

  @Test
  void everyClientWorksOverTlsWithAClientCertificate() throws Exception {
    TestCertificates certs = TestCertificates.create(tmp.resolve("pki"));
    int port = freePort();
    Process etcd = certs.startEtcd(tmp, port, freePort());
    try {
      JsonObject etcdKeys = new JsonObject().put("endpoints", new JsonArray().add("https://127.0.0.1:" + port))
          .put("tls", new JsonObject().put("caFile", certs.caCert().toString())
              .put("certFile", certs.clientCert().toString()).put("keyFile", certs.clientKey().toString()));
      everyClientWorks(etcdKeys, "/it/tls", Map.of());
    } finally {
      etcd.destroy();
      etcd.waitFor();
    }
  }

  @Test
  void everyClientAuthenticates() {
    try (EtcdServer etcd = EtcdServer.start()) {
      EtcdAuthSetup.enable(etcd, "/it/auth/", "alloc", PASSWORD, "root-" + PASSWORD);
      JsonObject etcdKeys = new JsonObject().put("endpoints", new JsonArray(etcd.endpoints())).put("user", "alloc");
      everyClientWorks(etcdKeys, "/it/auth", Map.of("ALLOCATOR_ETCD_PASSWORD", PASSWORD));
    }
  }

  private static void everyClientWorks(JsonObject etcdKeys, String root, Map<String, String> env) {
    JsonObject base = new JsonObject().put("etcd", etcdKeys).put("root", root)
        .put("items", new JsonArray().add("a").add("b"));
    Map<String, String> memberEnv = new java.util.HashMap<>(env);
    memberEnv.put("ALLOCATOR_HTTP_ADMIN_TOKEN", TOKEN);
    try (LauncherProcess member = LauncherProcess.start(base.copy().put("member", "m1")
            .put("http", new JsonObject().put("port", 0)).encode(), memberEnv);
         LauncherProcess spectator = LauncherProcess.start(base.copy().put("member", "gw").put("role", "spectator")
            .put("http", new JsonObject().put("port", 0)).encode(), env)) {
      LauncherProcess.await("the member masters a and b", () -> masters(member.getJson("/routes")).equals("a=m1 b=m1"));
      LauncherProcess.await("the spectator sees m1 master a and b",
          () -> masters(spectator.getJson("/routes")).equals("a=m1 b=m1"));

      var admin = AdminHttpIT.send(member, "GET", "/admin/members", TOKEN, null);
      assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
      assertThat(admin.body()).contains("m1");

      String conf = base.encode();
      for (List<String> command : List.of(List.of("routes"), List.of("members"), List.of("items", "list"))) {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of("-conf", conf));
        try (LauncherProcess cli = LauncherProcess.startArgs(args, env)) {
          assertThat(cli.awaitExit(Duration.ofSeconds(60))).as(command + ": " + cli.output()).isZero();
          assertThat(cli.stdout()).as(command.toString()).contains(command.get(0).equals("members") ? "m1" : "a");
        }
      }
      assertThat(member.output() + spectator.output()).doesNotContain(PASSWORD);
    }
  }

  /** "item=master ..." of a {@code /routes} answer, items in order. */
  private static String masters(JsonObject table) {
    List<String> out = new ArrayList<>();
    for (Object o : table.getJsonArray("routes")) {
      JsonObject r = (JsonObject) o;
      JsonArray entries = r.getJsonArray("entries");
      out.add(r.getString("item") + "=" + (entries.isEmpty() ? "" : entries.getJsonObject(0).getString("member")));
    }
    return String.join(" ", out.stream().sorted().toList());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
