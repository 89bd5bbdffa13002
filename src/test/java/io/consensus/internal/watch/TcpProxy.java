package io.consensus.internal.watch;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** A TCP proxy in front of etcd that a test can take down (cut and refuse connections) and bring up. */
public final class TcpProxy implements AutoCloseable {
  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean up = true;
  private final int port;

  public TcpProxy(Vertx vertx, int targetPort) throws Exception {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(in -> {
      if (!up) {
        in.close();
        return;
      }
      in.pause();
      sockets.add(in);
      client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed() || !up) {
          in.close();
          return;
        }
        NetSocket out = ar.result();
        sockets.add(out);
        in.handler(out::write).closeHandler(v -> out.close());
        out.handler(in::write).closeHandler(v -> in.close());
        in.resume();
      });
    });
    port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).actualPort();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** Cuts every connection and refuses new ones. */
  public void down() {
    up = false;
    sockets.forEach(NetSocket::close);
    sockets.clear();
  }

  public void up() {
    up = true;
  }

  @Override
  public void close() throws Exception {
    down();
    server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
