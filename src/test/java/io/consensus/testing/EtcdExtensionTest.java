package io.consensus.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.EtcdServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(VertxExtension.class)
class EtcdExtensionTest {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();

  @Test
  void injectsTheServerAlongsideVertx(Vertx vertx, EtcdServer server, VertxTestContext ctx) {
    assertThat(server).isSameAs(etcd.server());
    assertThat(server.isRunning()).isTrue();
    vertx.createHttpClient().request(io.vertx.core.http.HttpMethod.GET, server.clientPort(), "127.0.0.1", "/health")
        .compose(req -> req.send().compose(resp -> resp.body()))
        .onComplete(ctx.succeeding(body -> ctx.verify(() -> {
          assertThat(body.toJsonObject().getString("health")).isEqualTo("true");
          ctx.completeNow();
        })));
  }

  @Test
  void sameServerForTheWholeClass(EtcdServer server) {
    assertThat(server).isSameAs(etcd.server());
  }
}
