package io.consensus.launcher;

import io.consensus.route.Role;
import io.consensus.verticle.RouteChange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonArray;
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
    this.consumer = vertx.eventBus().consumer(address, msg -> onRoute(msg.body()));
  }

  /** Opens (appending) {@code path} and follows the routes {@code member} publishes on {@code address}. */
  static Future<ServingLog> open(Vertx vertx, String path, String member, String address) {
    return vertx.fileSystem().open(path, new OpenOptions().setAppend(true).setCreate(true).setWrite(true))
        .map(f -> new ServingLog(vertx, member, address, f));
  }

  /**
   * Follows one published route change, reading only the fields a line needs from its JSON
   * ({@link RouteChange#toJson} shape): no {@link RouteChange#fromJson} of every entry, its route
   * and metadata per change (a converging member publishes one per touched item, and this is
   * their only reader in a launcher without HTTP).
   */
  void onRoute(JsonObject c) {
    if (!member.equals(c.getString("member"))) {
      return;
    }
    String item = c.getString("item");
    Long current = serving.get(item);
    if (Role.MASTER.name().equals(c.getString("role"))) {
      long token = fencingToken(c);
      if (current != null && current == token) {
        return;
      }
      if (current != null) {
        write("stop", c, current);
      }
      serving.put(item, token);
      write("start", c, token);
    } else if (current != null) {
      serving.remove(item);
      write("stop", c, current);
    }
  }

  /** {@link RouteChange#fencingToken()}: the first entry's (the master's) create revision, 0 without one. */
  private static long fencingToken(JsonObject c) {
    JsonArray entries = c.getJsonArray("entries");
    return entries == null || entries.isEmpty() ? 0 : entries.getJsonObject(0).getLong("createRevision", 0L);
  }

  private void write(String event, JsonObject c, long token) {
    JsonObject line = new JsonObject().put("t", System.currentTimeMillis()).put("mono", System.nanoTime() / 1000)
        .put("member", member).put("item", c.getString("item")).put("event", event).put("token", token)
        .put("revision", c.getLong("revision", 0L)).put("reason", c.getString("reason", RouteChange.ROUTE));
    file.write(Buffer.buffer(line.encode() + "\n"));
  }

  /** Stops following and closes the file. */
  Future<Void> close() {
    consumer.unregister();
    return file.close();
  }
}
