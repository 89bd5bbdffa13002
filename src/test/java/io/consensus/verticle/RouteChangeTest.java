package io.consensus.verticle;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Role;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON of a route change is the event bus's public contract: its exact bytes, and what reads it back. */
class RouteChangeTest {
  private static final JsonObject MD = new JsonObject().put("host", "10.0.0.7").put("port", 8080);

  private static RouteChange change() {
    Route route = new Route("a", List.of(new RouteEntry("m2", "loading", 18, 20, 5),
        new RouteEntry("m1", "ready", 17, 19, 4), new RouteEntry("m3", "ready", 21, 21, 6),
        new RouteEntry("m4", "ready", 22, 22, 7)));
    return new RouteChange("m2", "a", 42, route, 1, Role.REPLICA, false, RouteChange.ROUTE,
        Map.of("m1", MD, "m2", new JsonObject()));
  }

  @Test
  void encodesToTheDocumentedShapeByteForByte() {
    assertThat(change().toJson().encode()).isEqualTo("{\"member\":\"m2\",\"item\":\"a\",\"revision\":42,\"entries\":["
        + "{\"member\":\"m1\",\"state\":\"ready\",\"createRevision\":17,\"metadata\":{\"host\":\"10.0.0.7\",\"port\":8080}},"
        + "{\"member\":\"m2\",\"state\":\"loading\",\"createRevision\":18,\"metadata\":{}},"
        + "{\"member\":\"m3\",\"state\":\"ready\",\"createRevision\":21},"
        + "{\"member\":\"m4\",\"state\":\"ready\",\"createRevision\":22}],"
        + "\"index\":1,\"role\":\"REPLICA\",\"removed\":false,\"reason\":\"route\"}");
    assertThat(new RouteChange("m1", "gone", 43, Route.empty("gone"), -1, Role.NONE, true, RouteChange.LEASE_LOST)
        .toJson().encode()).isEqualTo("{\"member\":\"m1\",\"item\":\"gone\",\"revision\":43,\"entries\":[],"
            + "\"index\":-1,\"role\":\"NONE\",\"removed\":true,\"reason\":\"lease-lost\"}");
  }

  @Test
  void eachJsonIsACopyAConsumerMayChangeAndReadsBack() {
    RouteChange c = change();
    JsonObject mine = c.toJson();
    mine.getJsonArray("entries").getJsonObject(0).getJsonObject("metadata").put("host", "changed");
    mine.getJsonArray("entries").add(new JsonObject());
    assertThat(c.toJson().encode()).isEqualTo(change().toJson().encode());
    assertThat(MD.getString("host")).isEqualTo("10.0.0.7");
    RouteChange back = RouteChange.fromJson(c.toJson());
    assertThat(back.item()).isEqualTo("a");
    assertThat(back.route().memberAt(0)).isEqualTo("m1");
    assertThat(back.fencingToken()).isEqualTo(17);
    assertThat(back.role()).isEqualTo(Role.REPLICA);
    assertThat(back.index()).isEqualTo(1);
    assertThat(back.metadataOf("m1")).isEqualTo(MD);
    assertThat(back.toJson()).isEqualTo(c.toJson());
  }
}
