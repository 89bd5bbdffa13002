package io.consensus.internal.config;

import io.consensus.config.ConfigException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one typed JSON reader: strict in files, string parsing only for overrides. */
class ConfigSchemaTest {
  static final class Opts {
    String name;
    String password;
    int count;
    long millis;
    boolean on;
    List<String> list = List.of();
    JsonObject obj = new JsonObject();
  }

  static final ConfigSchema<Opts> SCHEMA = new ConfigSchema<Opts>()
      .string("name", o -> o.name, (o, v) -> o.name = v)
      .secret("auth.password", o -> o.password, (o, v) -> o.password = v)
      .integer("count", o -> o.count, (o, v) -> o.count = v)
      .longInteger("a.b.millis", o -> o.millis, (o, v) -> o.millis = v)
      .bool("on", o -> o.on, (o, v) -> o.on = v)
      .strings("list", o -> o.list, (o, v) -> o.list = v)
      .object("obj", o -> o.obj, (o, v) -> o.obj = v);

  @Test
  void readsNestedPathsAndWritesThemBack() {
    JsonObject json = new JsonObject().put("name", "n").put("auth", new JsonObject().put("password", "pw"))
        .put("count", 3).put("a", new JsonObject().put("b", new JsonObject().put("millis", 5_000_000_000L)))
        .put("on", true).put("list", new JsonArray().add("x").add("y")).put("obj", new JsonObject().put("k", 1));
    Opts o = SCHEMA.read(json, new Opts());
    assertThat(o.count).isEqualTo(3);
    assertThat(o.millis).isEqualTo(5_000_000_000L);
    assertThat(o.list).containsExactly("x", "y");
    assertThat(SCHEMA.write(o)).isEqualTo(json);
    assertThat(SCHEMA.redacted(o).getJsonObject("auth").getString("password")).isEqualTo("***");
    assertThat(SCHEMA.paths()).containsExactly("name", "auth.password", "count", "a.b.millis", "on", "list", "obj");
  }

  @Test
  void absentKeysKeepTheirValueAndCopiesShareNothing() {
    Opts o = new Opts();
    o.name = "kept";
    SCHEMA.read(new JsonObject().put("count", 1), o);
    assertThat(o.name).isEqualTo("kept");
    Opts c = SCHEMA.copy(o, new Opts());
    o.obj.put("k", "changed");
    assertThat(c.obj.containsKey("k")).isFalse();
    assertThat(c.count).isEqualTo(1);
  }

  @Test
  void unknownNestedKeysListTheKnownOnesAtThatLevel() {
    assertThatThrownBy(() -> SCHEMA.read(new JsonObject().put("a", new JsonObject().put("c", 1)), new Opts()))
        .isInstanceOf(ConfigException.class).hasMessage("config key 'a.c': unknown key (known: [b])");
    assertThatThrownBy(() -> SCHEMA.read(new JsonObject().put("a", new JsonObject().put("b", 1)), new Opts()))
        .hasMessage("config key 'a.b': must be a JSON object, was 1");
    assertThatThrownBy(() -> SCHEMA.read(new JsonObject().put("nam", "x"), new Opts()))
        .hasMessage("config key 'nam': unknown key (known: [a, auth, count, list, name, obj, on])");
  }

  @Test
  void wrongTypesAreNeverCoerced() {
    assertThatThrownBy(() -> SCHEMA.read(new JsonObject().put("on", "true"), new Opts()))
        .hasMessage("config key 'on': must be true or false, was \"true\"");
    assertThatThrownBy(() -> SCHEMA.read(new JsonObject().put("on", 1), new Opts()))
        .hasMessage("config key 'on': must be true or false, was 1");
    assertThatThrownBy(() -> SCHEMA.read(new JsonObject().put("list", "x,y"), new Opts()))
        .hasMessage("config key 'list': must be a list of strings, was \"x,y\"");
    assertThatThrownBy(() -> SCHEMA.read(new JsonObject().put("count", 2_147_483_648L), new Opts()))
        .hasMessage("config key 'count': must be an integer, was 2147483648");
    assertThatThrownBy(() -> SCHEMA.read(new JsonObject().put("name", "x".repeat(200).length()), new Opts()))
        .hasMessage("config key 'name': must be a string, was 200");
    assertThatThrownBy(() -> SCHEMA.read(new JsonObject().put("name", new JsonObject().put("k", "x".repeat(200))),
        new Opts())).hasMessageEndingWith("...");
  }

  @Test
  void secretsAreNeverEchoed() {
    assertThatThrownBy(() -> SCHEMA.read(new JsonObject().put("auth", new JsonObject().put("password", 12345)),
        new Opts())).hasMessage("config key 'auth.password': must be a string, was a number");
    assertThatThrownBy(() -> SCHEMA.parseOverride("count", "ALLOCATOR_X", "s3cr3t")).hasMessageContaining("s3cr3t");
    assertThat(SCHEMA.parseOverride("auth.password", "ALLOCATOR_AUTH_PASSWORD", " pw ")).isEqualTo(" pw ");
  }

  @Test
  void overridesAreParsedFromStrings() {
    assertThat(SCHEMA.parseOverride("list", "L", "a, b,,c ")).isEqualTo(new JsonArray().add("a").add("b").add("c"));
    assertThat(SCHEMA.parseOverride("count", "C", "-7")).isEqualTo(-7);
    assertThat(SCHEMA.parseOverride("a.b.millis", "M", "5000000000")).isEqualTo(5_000_000_000L);
    assertThat(SCHEMA.parseOverride("on", "O", "false")).isEqualTo(false);
    assertThat(SCHEMA.parseOverride("obj", "J", "{\"k\":1}")).isEqualTo(new JsonObject().put("k", 1));
    assertThatThrownBy(() -> SCHEMA.parseOverride("count", "ALLOCATOR_COUNT", "two"))
        .hasMessage("config key 'ALLOCATOR_COUNT': must be an integer, was \"two\"");
    assertThatThrownBy(() -> SCHEMA.parseOverride("count", "ALLOCATOR_COUNT", "3000000000"))
        .hasMessage("config key 'ALLOCATOR_COUNT': must be an integer, was \"3000000000\"");
    assertThatThrownBy(() -> SCHEMA.parseOverride("on", "allocator.on", "yes"))
        .hasMessage("config key 'allocator.on': must be true or false, was \"yes\"");
    assertThatThrownBy(() -> SCHEMA.parseOverride("obj", "ALLOCATOR_OBJ", "{"))
        .hasMessage("config key 'ALLOCATOR_OBJ': must be a JSON object, was \"{\"");
  }

  @Test
  void clashingDeclarationsAreAProgrammingError() {
    assertThatThrownBy(() -> new ConfigSchema<Opts>().string("a", o -> "", (o, v) -> { })
        .string("a.b", o -> "", (o, v) -> { })).isInstanceOf(IllegalArgumentException.class);
  }

  static final class More {
    Integer limit;
    double weight = 1;
    JsonArray mixed = new JsonArray();
  }

  static final ConfigSchema<More> MORE = new ConfigSchema<More>()
      .optionalInteger("limit", o -> o.limit, (o, v) -> o.limit = v)
      .number("weight", o -> o.weight, (o, v) -> o.weight = v)
      .list("mixed", o -> o.mixed, (o, v) -> o.mixed = v);

  @Test
  void optionalIntegersNumbersAndMixedLists() {
    More o = MORE.read(new JsonObject().put("weight", 2).put("mixed", new JsonArray().add("a")
        .add(new JsonObject().put("name", "b"))), new More());
    assertThat(o.weight).isEqualTo(2.0);
    assertThat(o.limit).isNull();
    assertThat(MORE.write(o).containsKey("limit")).as("an unset optional key is left out").isFalse();
    assertThat(MORE.read(new JsonObject().put("limit", 7).put("weight", 0.5), new More()).limit).isEqualTo(7);
    assertThatThrownBy(() -> MORE.read(new JsonObject().put("weight", "2"), new More()))
        .hasMessage("config key 'weight': must be a number, was \"2\"");
    assertThatThrownBy(() -> MORE.read(new JsonObject().put("limit", 1.5), new More()))
        .hasMessage("config key 'limit': must be an integer, was 1.5");
    assertThatThrownBy(() -> MORE.read(new JsonObject().put("mixed", new JsonArray().add(3)), new More()))
        .hasMessage("config key 'mixed': must be a list of strings or JSON objects, has 3");
    assertThat(MORE.parseOverride("weight", "W", " 1.5 ")).isEqualTo(1.5);
    assertThatThrownBy(() -> MORE.parseOverride("weight", "W", "heavy")).hasMessageContaining("'W': must be a number");
    assertThat(MORE.parseOverride("mixed", "M", "a, b")).isEqualTo(new JsonArray().add("a").add("b"));
  }
}
