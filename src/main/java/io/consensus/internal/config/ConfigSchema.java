package io.consensus.internal.config;

import io.consensus.config.ConfigException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.ObjDoubleConsumer;
import java.util.function.ObjIntConsumer;
import java.util.function.ObjLongConsumer;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The JSON keys of one options class, each declared once with its type, getter and setter; the
 * one typed JSON reader of the project. From the declarations it reads JSON into options
 * ({@link #read}), writes options as JSON ({@link #write}), copies options ({@link #copy}) and
 * turns override strings into typed values ({@link #parseOverride}).
 *
 * <p>Reading is strict: an unknown key, a value of the wrong JSON type ({@code "items": "a"},
 * {@code "replicas": "2"}, {@code "replicas": 2.5}, {@code null}) or an integer out of range is
 * refused with a {@link ConfigException} naming the dotted key, e.g.
 * {@code config key 'items': must be a list of strings, was "a"}. Nothing is coerced. Only
 * {@link #parseOverride} (environment variables and system properties, which are strings) splits
 * lists at commas and parses numbers.
 *
 * <p>Dotted paths ({@code etcd.endpoints}) are nested objects in JSON
 * ({@code {"etcd": {"endpoints": [...]}}}). Declare the keys in a static initializer; a schema is
 * not changed afterwards and is then safe to share.
 *
 * <pre>{@code
 * static final ConfigSchema<MyOptions> SCHEMA = new ConfigSchema<MyOptions>()
 *     .string("root", MyOptions::getRoot, MyOptions::setRoot)
 *     .integer("replicas", MyOptions::getReplicas, MyOptions::setReplicas)
 *     .strings("etcd.endpoints", MyOptions::getEndpoints, MyOptions::setEndpoints);
 * }</pre>
 *
 * @param <T> the options class
 */
public final class ConfigSchema<T> {
  /** The JSON type of a key. */
  public enum Type {
    STRING("a string"), INTEGER("an integer"), LONG("an integer"), BOOLEAN("true or false"),
    STRINGS("a list of strings"), OBJECT("a JSON object"), NUMBER("a number"),
    LIST("a list of strings or JSON objects");

    private final String description;

    Type(String description) {
      this.description = description;
    }

    /** How error messages describe the expected value, e.g. "a list of strings". */
    public String description() {
      return description;
    }
  }

  private static final Map<Class<?>, ConfigSchema<?>> REGISTERED = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Records {@code schema} as the keys of the public options class {@code type}, so internal
   * readers ({@link #of}) find them without the options class exposing an internal type.
   */
  public static <T> ConfigSchema<T> register(Class<T> type, ConfigSchema<T> schema) {
    REGISTERED.put(type, schema);
    return schema;
  }

  /** The schema {@code type} registered in its static initializer (which this runs). */
  @SuppressWarnings("unchecked")
  public static <T> ConfigSchema<T> of(Class<T> type) {
    try {
      Class.forName(type.getName(), true, type.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    ConfigSchema<T> schema = (ConfigSchema<T>) REGISTERED.get(type);
    if (schema == null) {
      throw new IllegalArgumentException(type.getName() + " registers no ConfigSchema");
    }
    return schema;
  }

  private record Key<T>(String path, Type type, boolean secret, Function<T, Object> getter,
                        BiConsumer<T, Object> setter) {
  }

  private final Map<String, Key<T>> keys = new LinkedHashMap<>();

  /** A string key. */
  public ConfigSchema<T> string(String path, Function<T, String> get, BiConsumer<T, String> set) {
    return add(path, Type.STRING, false, get::apply, (o, v) -> set.accept(o, (String) v));
  }

  /** A string key whose value is never shown in errors or {@link #describe}d (passwords). */
  public ConfigSchema<T> secret(String path, Function<T, String> get, BiConsumer<T, String> set) {
    return add(path, Type.STRING, true, get::apply, (o, v) -> set.accept(o, (String) v));
  }

  /** An {@code int} key. */
  public ConfigSchema<T> integer(String path, ToIntFunction<T> get, ObjIntConsumer<T> set) {
    return add(path, Type.INTEGER, false, get::applyAsInt, (o, v) -> set.accept(o, ((Number) v).intValue()));
  }

  /** A {@code long} key. */
  public ConfigSchema<T> longInteger(String path, ToLongFunction<T> get, ObjLongConsumer<T> set) {
    return add(path, Type.LONG, false, get::applyAsLong, (o, v) -> set.accept(o, ((Number) v).longValue()));
  }

  /** An optional {@code int} key: a null getter result leaves the key out of {@link #write}. */
  public ConfigSchema<T> optionalInteger(String path, Function<T, Integer> get, BiConsumer<T, Integer> set) {
    return add(path, Type.INTEGER, false, get::apply, (o, v) -> set.accept(o, ((Number) v).intValue()));
  }

  /** A {@code double} key (JSON integers are accepted as numbers). */
  public ConfigSchema<T> number(String path, ToDoubleFunction<T> get, ObjDoubleConsumer<T> set) {
    return add(path, Type.NUMBER, false, get::applyAsDouble, (o, v) -> set.accept(o, ((Number) v).doubleValue()));
  }

  /**
   * A list whose elements are strings or JSON objects (e.g. items with per-item settings); the
   * setter checks the elements and throws a {@link ConfigException} naming the key for a bad one.
   * Overrides split at commas into strings, as for {@link #strings}.
   */
  public ConfigSchema<T> list(String path, Function<T, JsonArray> get, BiConsumer<T, JsonArray> set) {
    return add(path, Type.LIST, false, o -> get.apply(o) == null ? null : get.apply(o).copy(),
        (o, v) -> set.accept(o, ((JsonArray) v).copy()));
  }

  /** A boolean key. */
  public ConfigSchema<T> bool(String path, Function<T, Boolean> get, BiConsumer<T, Boolean> set) {
    return add(path, Type.BOOLEAN, false, get::apply, (o, v) -> set.accept(o, (Boolean) v));
  }

  /** A list-of-strings key. */
  public ConfigSchema<T> strings(String path, Function<T, List<String>> get, BiConsumer<T, List<String>> set) {
    return add(path, Type.STRINGS, false, o -> get.apply(o) == null ? null : new JsonArray(new ArrayList<>(get.apply(o))),
        (o, v) -> set.accept(o, ((JsonArray) v).stream().map(String.class::cast).toList()));
  }

  /** A free-form JSON object key. */
  public ConfigSchema<T> object(String path, Function<T, JsonObject> get, BiConsumer<T, JsonObject> set) {
    return add(path, Type.OBJECT, false, o -> get.apply(o) == null ? null : get.apply(o).copy(),
        (o, v) -> set.accept(o, ((JsonObject) v).copy()));
  }

  /**
   * Every key of {@code part}'s schema, read and written on the part object {@code owner}
   * returns (the owner's own, mutable instance): options composed of shared options, such as
   * the etcd client's, declare those keys once.
   */
  public <P> ConfigSchema<T> include(ConfigSchema<P> part, Function<T, P> owner) {
    for (Key<P> k : part.keys.values()) {
      add(k.path(), k.type(), k.secret(), o -> k.getter().apply(owner.apply(o)),
          (o, v) -> k.setter().accept(owner.apply(o), v));
    }
    return this;
  }

  private ConfigSchema<T> add(String path, Type type, boolean secret, Function<T, Object> get, BiConsumer<T, Object> set) {
    if (keys.containsKey(path) || keys.keySet().stream().anyMatch(k -> k.startsWith(path + ".") || path.startsWith(k + "."))) {
      throw new IllegalArgumentException("key " + path + " clashes with a declared key");
    }
    keys.put(path, new Key<>(path, type, secret, get, set));
    return this;
  }

  /** Every declared key as a dotted path, in declaration order. */
  public Set<String> paths() {
    return Collections.unmodifiableSet(keys.keySet());
  }

  /** The type of {@code path}, or null when it is not declared. */
  public Type type(String path) {
    Key<T> k = keys.get(path);
    return k == null ? null : k.type();
  }

  /**
   * Sets every key present in {@code json} on {@code target}; absent keys keep their value.
   *
   * @throws ConfigException naming the first unknown key or wrongly typed value
   */
  public T read(JsonObject json, T target) {
    readLevel(json, "", target);
    return target;
  }

  private void readLevel(JsonObject json, String prefix, T target) {
    for (String name : json.fieldNames()) {
      String path = prefix + name;
      Object value = json.getValue(name);
      Key<T> key = keys.get(path);
      if (key != null) {
        key.setter().accept(target, check(key, path, value));
      } else if (keys.keySet().stream().anyMatch(k -> k.startsWith(path + "."))) {
        if (!(value instanceof JsonObject nested)) {
          throw new ConfigException(path, "must be a JSON object, was " + show(value));
        }
        readLevel(nested, path + ".", target);
      } else {
        throw new ConfigException(path, "unknown key (known: " + known(prefix) + ")");
      }
    }
  }

  /** The names declared directly under {@code prefix} ("" for the top level). */
  private Set<String> known(String prefix) {
    Set<String> out = new TreeSet<>();
    for (String k : keys.keySet()) {
      if (k.startsWith(prefix)) {
        out.add(k.substring(prefix.length()).split("\\.")[0]);
      }
    }
    return out;
  }

  private static Object check(Key<?> key, String path, Object v) {
    Object ok = switch (key.type()) {
      case STRING -> v instanceof String ? v : null;
      case INTEGER -> integral(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case LONG -> integral(v, Long.MIN_VALUE, Long.MAX_VALUE);
      case BOOLEAN -> v instanceof Boolean ? v : null;
      case OBJECT -> v instanceof JsonObject ? v : null;
      case STRINGS -> v instanceof JsonArray a && a.stream().allMatch(String.class::isInstance) ? v : null;
      case NUMBER -> v instanceof Number n && Double.isFinite(n.doubleValue()) ? v : null;
      case LIST -> v instanceof JsonArray a
          && a.stream().allMatch(e -> e instanceof String || e instanceof JsonObject) ? v : null;
    };
    if (ok == null) {
      String was = key.secret() ? "a " + kind(v) : show(v);
      if ((key.type() == Type.STRINGS || key.type() == Type.LIST) && v instanceof JsonArray a) {
        for (Object e : a) {
          if (!(e instanceof String) && (key.type() == Type.STRINGS || !(e instanceof JsonObject))) {
            throw new ConfigException(path, "must be " + key.type().description() + ", has " + show(e));
          }
        }
      }
      throw new ConfigException(path, "must be " + key.type().description() + ", was " + was);
    }
    return ok;
  }

  private static Long integral(Object v, long min, long max) {
    if (!(v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger)) {
      return null;
    }
    BigInteger b = v instanceof BigInteger bi ? bi : BigInteger.valueOf(((Number) v).longValue());
    if (b.compareTo(BigInteger.valueOf(min)) < 0 || b.compareTo(BigInteger.valueOf(max)) > 0) {
      return null;
    }
    return b.longValue();
  }

  /** The settings of {@code source} as JSON, nested by path; null values are left out. */
  public JsonObject write(T source) {
    return write(source, false);
  }

  /** As {@link #write}, with every {@link #secret} value replaced by {@code "***"}: for logs. */
  public JsonObject redacted(T source) {
    return write(source, true);
  }

  private JsonObject write(T source, boolean redact) {
    JsonObject out = new JsonObject();
    for (Key<T> k : keys.values()) {
      Object v = k.getter().apply(source);
      if (v == null) {
        continue;
      }
      if (redact && k.secret()) {
        v = "***";
      }
      String[] parts = k.path().split("\\.");
      JsonObject at = out;
      for (int i = 0; i < parts.length - 1; i++) {
        JsonObject next = at.getJsonObject(parts[i]);
        if (next == null) {
          next = new JsonObject();
          at.put(parts[i], next);
        }
        at = next;
      }
      at.put(parts[parts.length - 1], v);
    }
    return out;
  }

  /** Copies every declared setting from {@code from} to {@code to}; lists and objects are copied. */
  public T copy(T from, T to) {
    for (Key<T> k : keys.values()) {
      Object v = k.getter().apply(from);
      if (v != null) {
        k.setter().accept(to, v);
      }
    }
    return to;
  }

  /**
   * The typed JSON value of an override string for {@code path}: lists are comma-separated
   * (blank parts dropped), integers are decimal, booleans {@code true}/{@code false}, objects
   * inline JSON.
   *
   * @param source the override's own name (e.g. {@code ALLOCATOR_REPLICAS}), used in errors
   * @throws ConfigException naming {@code source} when the string does not parse
   */
  public Object parseOverride(String path, String source, String value) {
    Key<T> key = keys.get(path);
    if (key == null) {
      throw new ConfigException(source, "unknown key " + path);
    }
    String v = value.trim();
    Object out = switch (key.type()) {
      case STRING -> value;
      case INTEGER, LONG -> v.matches("-?\\d{1,19}") ? integral(new BigInteger(v), key.type() == Type.INTEGER
          ? Integer.MIN_VALUE : Long.MIN_VALUE, key.type() == Type.INTEGER ? Integer.MAX_VALUE : Long.MAX_VALUE) : null;
      case BOOLEAN -> v.equals("true") ? Boolean.TRUE : v.equals("false") ? Boolean.FALSE : null;
      case NUMBER -> {
        try {
          double d = Double.parseDouble(v);
          yield Double.isFinite(d) ? (Object) d : null;
        } catch (NumberFormatException e) {
          yield null;
        }
      }
      case STRINGS, LIST -> {
        JsonArray a = new JsonArray();
        for (String part : value.split(",")) {
          if (!part.isBlank()) {
            a.add(part.trim());
          }
        }
        yield a;
      }
      case OBJECT -> {
        try {
          yield new JsonObject(value);
        } catch (DecodeException e) {
          yield null;
        }
      }
    };
    if (out == null) {
      String expected = key.type() == Type.OBJECT ? "a JSON object" : key.type().description();
      throw new ConfigException(source, "must be " + expected + ", was " + (key.secret() ? "hidden" : show(value)));
    }
    if (out instanceof Long l && key.type() == Type.INTEGER) {
      return l.intValue();
    }
    return out;
  }

  /** A short JSON rendering of a bad value for an error message. */
  static String show(Object v) {
    String s = v instanceof String || v instanceof Number || v instanceof Boolean || v == null
        ? Json.encode(v) : v instanceof JsonObject || v instanceof JsonArray ? v.toString() : String.valueOf(v);
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }

  private static String kind(Object v) {
    return v == null ? "null" : v instanceof JsonObject ? "JSON object" : v instanceof JsonArray ? "list"
        : v instanceof Number ? "number" : v instanceof Boolean ? "boolean" : "string";
  }
}
