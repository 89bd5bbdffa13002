package io.consensus.verticle;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of JSON config values that fail with the key's name. */
final class ConfigReader {
  private ConfigReader() {
  }

  static String string(JsonObject json, String key, String dflt) {
    Object v = json.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof String s)) {
      throw new ConfigException(key, "must be a string, was " + v);
    }
    return s;
  }

  static int integer(JsonObject json, String key, int dflt) {
    Object v = json.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof String s && s.matches("-?\\d+")) {
      // Overrides from environment variables arrive as strings.
      return Integer.parseInt(s);
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new ConfigException(key, "must be an integer, was " + v);
    }
    return n.intValue();
  }

  static JsonObject object(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      throw new ConfigException(key, "must be a JSON object, was " + v);
    }
    return o;
  }

  static List<String> strings(JsonObject json, String key, String name, List<String> dflt) {
    Object v = json.getValue(key);
    if (v == null) {
      return new ArrayList<>(dflt);
    }
    if (v instanceof String s) {
      // Overrides from environment variables: comma-separated.
      List<String> out = new ArrayList<>();
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
      return out;
    }
    if (!(v instanceof JsonArray arr)) {
      throw new ConfigException(name, "must be a list of strings, was " + v);
    }
    List<String> out = new ArrayList<>();
    for (Object o : arr) {
      if (!(o instanceof String s)) {
        throw new ConfigException(name, "must be a list of strings, has " + o);
      }
      out.add(s);
    }
    return out;
  }
}
