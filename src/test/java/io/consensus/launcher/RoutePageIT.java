package io.consensus.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.consensus.testing.EtcdExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live route page in a real headless Chromium, served by a spectator process that follows
 * three member processes (and by one of the members): the grid shows every item, then follows
 * a hand-off without a reload.
 */
class RoutePageIT {
  @RegisterExtension
  static EtcdExtension etcd = new EtcdExtension();
  static final List<String> ITEMS = IntStream.range(0, 12).mapToObj(i -> "item-" + (char) ('a' + i)).toList();

  static String conf(String member, String zone, String role) {
    return conf(member, zone, role, role != null);
  }

  static String conf(String member, String zone, String role, boolean http) {
    JsonObject c = new JsonObject().put("root", "/it/page").put("member", member).put("replicas", 1)
        .put("items", new JsonArray(ITEMS)).put("leaseTtlSeconds", 4).put("handoffTimeoutSeconds", 20)
        .put("stateCheckMillis", 200).put("zone", zone).put("metadata", new JsonObject().put("port", 9000))
        .put("etcd", new JsonObject().put("endpoints", new JsonArray(etcd.server().endpoints())));
    if (role != null) {
      c.put("role", role);
    }
    if (http) {
      c.put("http", new JsonObject().put("port", 0));
    }
    return c.encode();
  }

  static final String ROWS = "[...document.querySelectorAll('#rows tr[data-item]')]";

  @SuppressWarnings("unchecked")
  static Map<String, String> mastersShown(HeadlessChromium page) {
    Map<String, String> out = new HashMap<>();
    String json = (String) page.eval("JSON.stringify(Object.fromEntries(" + ROWS
        + ".map(r => [r.dataset.item, r.dataset.master])))");
    new JsonObject(json).forEach(e -> out.put(e.getKey(), (String) e.getValue()));
    return out;
  }

  static boolean fullyStaffed(HeadlessChromium page, int members) {
    // Safe while the page is still loading: a missing element reads as "".
    Object ok = page.eval("(() => { const t = id => (document.getElementById(id) || {}).textContent; return"
        + " t('c-items') === '" + ITEMS.size() + "'"
        + " && t('c-members') === '" + members + "'"
        + " && t('c-masterless') === '0'"
        + " && t('c-short') === '0'"
        + " && " + ROWS + ".length === " + ITEMS.size()
        + " && " + ROWS + ".every(r => r.dataset.master !== '' && r.querySelectorAll('td.cell').length === 2); })()");
    return Boolean.TRUE.equals(ok);
  }

  @Test
  void theGridShowsEveryItemAndFollowsAHandOffLive() {
    try (LauncherProcess m1 = LauncherProcess.start(conf("m1", "z1", null), Map.of());
         LauncherProcess m2 = LauncherProcess.start(conf("m2", "z1", null, true), Map.of());
         LauncherProcess m3 = LauncherProcess.start(conf("m3", "z2", null), Map.of());
         LauncherProcess spectator = LauncherProcess.start(conf("gateway", "z0", "spectator"), Map.of())) {
      // The spectator process serves /routes and /health like a member.
      LauncherProcess.await("spectator sees all items staffed", () -> {
        JsonArray routes = spectator.getJson("/routes").getJsonArray("routes");
        return routes.size() == ITEMS.size() && routes.stream().map(JsonObject.class::cast)
            .allMatch(r -> r.getJsonArray("entries").size() == 2);
      });
      assertThat(spectator.get("/health").statusCode()).isEqualTo(200);
      assertThat(spectator.getJson("/health").getString("role")).isEqualTo("spectator");

      try (HeadlessChromium page = HeadlessChromium.open("http://127.0.0.1:" + spectator.httpPort() + "/");
           HeadlessChromium memberPage = HeadlessChromium.open("http://127.0.0.1:" + m2.httpPort() + "/")) {
        LauncherProcess.await("page shows every item fully staffed by 3 members", () -> fullyStaffed(page, 3));
        LauncherProcess.await("a member's own page shows the same", () -> fullyStaffed(memberPage, 3));
        LauncherProcess.await("both pages show the same masters",
            () -> mastersShown(memberPage).equals(mastersShown(page)));
        Map<String, String> before = mastersShown(page);
        assertThat(before.keySet()).containsExactlyInAnyOrderElementsOf(ITEMS);
        assertThat(before.values()).contains("m1");
        assertThat(page.eval("document.querySelector('th[data-member=\"m3\"] .zone').textContent"))
            .isEqualTo("zone z2");
        assertThat(page.eval("document.querySelector('th[data-member=\"m1\"] .health').textContent"))
            .isEqualTo("up");
        // A member's page shows its event-loop lag (from its /health); a spectator has none.
        LauncherProcess.await("the member's page shows its event-loop lag", () -> Boolean.TRUE.equals(memberPage.eval(
            "!document.getElementById('box-lag').hidden && /^\\d+$/.test(document.getElementById('c-lag-keeper').textContent)")));
        assertThat(page.eval("document.getElementById('box-lag').hidden")).isEqualTo(true);
        // Filtering narrows the grid.
        assertThat(page.eval("(() => { const f = document.getElementById('filter'); f.value = 'item-a';"
            + " f.dispatchEvent(new Event('input')); const n = " + ROWS + ".length; f.value = '';"
            + " f.dispatchEvent(new Event('input')); return n; })()")).isEqualTo(1);
        long revisionBefore = Long.parseLong((String) page.eval("document.body.dataset.revision"));
        page.eval("window.notReloaded = true");

        m1.signal("TERM");
        assertThat(m1.awaitExit(Duration.ofSeconds(60))).isZero();
        LauncherProcess.await("page shows m1's items handed off", () -> fullyStaffed(page, 2)
            && Boolean.TRUE.equals(page.eval("document.querySelectorAll('td[data-member=\"m1\"]').length === 0")));
        LauncherProcess.await("the member's page follows too", () -> fullyStaffed(memberPage, 2)
            && Boolean.TRUE.equals(memberPage.eval("document.querySelectorAll('td[data-member=\"m1\"]').length === 0")));
        LauncherProcess.await("both pages show the same masters again",
            () -> mastersShown(memberPage).equals(mastersShown(page)));
        Map<String, String> after = mastersShown(page);
        assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(ITEMS);
        assertThat(after.values()).doesNotContain("m1").containsOnly("m2", "m3");
        before.forEach((item, master) -> {
          if (!master.equals("m1")) {
            return;
          }
          assertThat(after.get(item)).as("new master of %s", item).isIn("m2", "m3");
        });
        assertThat(Long.parseLong((String) page.eval("document.body.dataset.revision"))).isGreaterThan(revisionBefore);
        assertThat(page.eval("window.notReloaded === true")).as("updated live, not reloaded").isEqualTo(true);
      }
    }
  }
}
