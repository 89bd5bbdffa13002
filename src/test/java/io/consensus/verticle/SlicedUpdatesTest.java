package io.consensus.verticle;

import static io.consensus.verticle.TestFleet.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.route.Role;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Updates cost work in what they touch, and a member joining tells its application no empty roles. */
class SlicedUpdatesTest extends FleetTest {
  static final List<String> ITEMS = IntStream.range(0, 2_000).mapToObj(i -> String.format("item-%04d", i)).toList();

  @Test
  void aJoiningMemberPublishesNoNoneRoutesAndARevisionReclassifiesOnlyWhatItTouches() {
    AllocatorVerticle a = fleet.deploy(fleet.options("a", 0, ITEMS).setMaxBatch(64), ItemHandler.DEFAULT);
    fleet.awaitRoutes(ITEMS, "a masters every item", routes -> routes.values().stream()
        .allMatch(r -> r.size() == 1 && r.master().member().equals("a")));
    fleet.awaitQuiet();

    AllocatorVerticle b = fleet.deploy(fleet.options("b", 0, ITEMS).setMaxBatch(64), ItemHandler.DEFAULT);
    long joinedAt = fleet.events.get("b").stream().filter(e -> e.kind() == AllocatorEvent.Kind.JOINED)
        .findFirst().orElseThrow().revision();
    // b holds nothing at join: its 2,000 routes are recorded (the table answers them) but not told.
    assertThat(fleet.routeLog.get("b")).noneMatch(c -> c.revision() <= joinedAt);
    assertThat(await(b.routes())).hasSize(ITEMS.size());
    // The table request is answered in full (built in slices), in item order, as routes() says.
    io.vertx.core.json.JsonObject json = fleet.request(b.options().getAddress() + ".table.b", null);
    assertThat(json.getString("member")).isEqualTo("b");
    assertThat(json.getLong("revision")).isGreaterThanOrEqualTo(joinedAt);
    assertThat(json.getJsonArray("routes").stream().map(o -> ((io.vertx.core.json.JsonObject) o).getString("item")))
        .containsExactlyElementsOf(ITEMS);
    assertThat(b.stats().slices()).isPositive();

    fleet.awaitRoutes(ITEMS, "a and b master 1,000 each", routes -> fleet.mastersPerMember(routes).values()
        .stream().allMatch(n -> n == 1_000));
    fleet.awaitQuiet();
    // Whatever b was told afterwards changed something: no NONE route repeated as it was.
    assertThat(fleet.routeLog.get("b")).allSatisfy(c -> assertThat(c.revision()).isGreaterThan(joinedAt));

    // One entry cancelled and taken again: a few items re-derived, not 2,000.
    long aBefore = a.stats().itemsReclassified();
    long bBefore = b.stats().itemsReclassified();
    String item = await(a.routes()).values().stream().filter(c -> c.role() == Role.MASTER).findFirst()
        .orElseThrow().item();
    long rev = await(a.cancelItem(item));
    fleet.awaitRoutes(ITEMS, item + " taken again", routes -> routes.get(item).size() == 1
        && routes.get(item).master().createRevision() > rev);
    fleet.awaitQuiet();
    assertThat(a.stats().itemsReclassified() - aBefore).isBetween(1L, 10L);
    assertThat(b.stats().itemsReclassified() - bBefore).isBetween(1L, 10L);
  }
}
