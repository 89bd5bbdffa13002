package io.consensus.launcher;

import io.consensus.verticle.RouteChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * What a member's application would serve, as JSON lines appended to a file: a {@code start}
 * line when the member becomes master of an item (with the fencing token it serves under)
 * and a {@code stop} line when it no longer is. Fault-injection runs read these files to
 * check fencing where applications act, not only in etcd.
 *
 * <p>Line: {@code {"t": epoch ms, "mono": monotonic µs, "member", "item", "event":
 * "start"|"stop", "token", "revision", "reason"}}; {@code mono} comes from
 * {@link System#nanoTime()}, comparable between processes of one Linux machine.
 */
final class ServingLog {
  private final String member;
  private final AsyncFile file;
  private final MessageConsumer<JsonObject> consumer;
  private final Map<String, Long> serving = new HashMap<>();

  private ServingLog(Vertx vertx, String member, String address, AsyncFile file) {
    this.member = member;
    this.file = file;
    this.consumer = vertx.eventBus().consumer(address, msg -> onRoute(RouteChange.fromJson(msg.body())));
  }

  /** Opens (appending) {@code path} and follows the routes {@code member} publishes on {@code address}. */
  static Future<ServingLog> open(Vertx vertx, String path, String member, String address) {
    return vertx.fileSystem().open(path, new OpenOptions().setAppend(true).setCreate(true).setWrite(true))
        .map(f -> new ServingLog(vertx, member, address, f));
  }

  private void onRoute(RouteChange c) {
    if (!member.equals(c.member())) {
      return;
    }
    Long current = serving.get(c.item());
    if (c.isMaster()) {
      long token = c.fencingToken();
      if (current != null && current == token) {
        return;
      }
      if (current != null) {
        write("stop", c, current);
      }
      serving.put(c.item(), token);
      write("start", c, token);
    } else if (current != null) {
      serving.remove(c.item());
      write("stop", c, current);
    }
  }

  private void write(String event, RouteChange c, long token) {
    JsonObject line = new JsonObject().put("t", System.currentTimeMillis()).put("mono", System.nanoTime() / 1000)
        .put("member", member).put("item", c.item()).put("event", event).put("token", token)
        .put("revision", c.revision()).put("reason", c.reason());
    file.write(Buffer.buffer(line.encode() + "\n"));
  }

  /** Stops following and closes the file. */
  Future<Void> close() {
    consumer.unregister();
    return file.close();
  }
}
