package io.consensus.spectator;

import io.consensus.route.Names;
import io.consensus.verticle.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of a {@link RoutingTableVerticle}, readable from JSON or set fluently.
 *
 * <pre>
 * etcd.endpoints     list of "http://host:port"                           (required)
 * root               key prefix the fleet uses, e.g. "/consensus/demo"     (required)
 * address            event-bus address of route changes                  (default "consensus.spectator")
 * name               the spectator's name in its messages                (default "spectator")
 * replicas           the fleet's R, to tell replicas from extras          (default 0)
 * items              the fleet's fixed items (shown with empty routes)   (default none)
 * callTimeoutMillis  timeout of every etcd call                          (default 5000)
 * </pre>
 */
public final class RoutingTableOptions {
  /** Default event-bus address: distinct from the members' so both can share a Vert.x. */
  public static final String DEFAULT_ADDRESS = "consensus.spectator";
  private static final Set<String> KEYS = Set.of("etcd", "root", "address", "name", "replicas", "items",
      "callTimeoutMillis");

  private List<String> endpoints = new ArrayList<>();
  private String root;
  private String address = DEFAULT_ADDRESS;
  private String name = "spectator";
  private int replicas;
  private List<String> items = new ArrayList<>();
  private long callTimeoutMillis = 5000;

  public RoutingTableOptions() {
  }

  /** A copy of {@code other}. */
  public RoutingTableOptions(RoutingTableOptions other) {
    endpoints = new ArrayList<>(other.endpoints);
    root = other.root;
    address = other.address;
    name = other.name;
    replicas = other.replicas;
    items = new ArrayList<>(other.items);
    callTimeoutMillis = other.callTimeoutMillis;
  }

  /**
   * Reads the keys of the class doc strictly.
   *
   * @throws ConfigException naming the first unknown key or wrong type
   */
  public RoutingTableOptions(JsonObject json) {
    for (String key : json.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new ConfigException(key, "unknown key (known: " + new TreeSet<>(KEYS) + ")");
      }
    }
    Object etcd = json.getValue("etcd");
    if (etcd != null) {
      if (!(etcd instanceof JsonObject e)) {
        throw new ConfigException("etcd", "must be a JSON object, was " + etcd);
      }
      for (String key : e.fieldNames()) {
        if (!key.equals("endpoints")) {
          throw new ConfigException("etcd." + key, "unknown key (known: [endpoints])");
        }
      }
      endpoints = strings(e.getValue("endpoints"), "etcd.endpoints");
    }
    root = string(json, "root", null);
    address = string(json, "address", address);
    name = string(json, "name", name);
    replicas = (int) number(json, "replicas", replicas);
    if (json.getValue("items") != null) {
      items = strings(json.getValue("items"), "items");
    }
    callTimeoutMillis = number(json, "callTimeoutMillis", callTimeoutMillis);
  }

  /** The JSON form read by {@link #RoutingTableOptions(JsonObject)}. */
  public JsonObject toJson() {
    return new JsonObject().put("etcd", new JsonObject().put("endpoints", new JsonArray(new ArrayList<>(endpoints))))
        .put("root", root).put("address", address).put("name", name).put("replicas", replicas)
        .put("items", new JsonArray(new ArrayList<>(items))).put("callTimeoutMillis", callTimeoutMillis);
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first bad key
   */
  public RoutingTableOptions validate() {
    if (endpoints.isEmpty()) {
      throw new ConfigException("etcd.endpoints", "required: at least one http://host:port");
    }
    if (root == null) {
      throw new ConfigException("root", "required, e.g. \"/consensus/demo\"");
    }
    try {
      Names.checkRoot(root);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("root", e.getMessage());
    }
    if (!Names.isValid(name)) {
      throw new ConfigException("name", Names.problem(name));
    }
    if (address == null || address.isBlank()) {
      throw new ConfigException("address", "must not be empty");
    }
    if (replicas < 0) {
      throw new ConfigException("replicas", "must be >= 0, was " + replicas);
    }
    for (String item : items) {
      if (!Names.isValid(item)) {
        throw new ConfigException("items", "invalid item name '" + item + "': " + Names.problem(item));
      }
    }
    if (callTimeoutMillis < 1) {
      throw new ConfigException("callTimeoutMillis", "must be >= 1, was " + callTimeoutMillis);
    }
    return this;
  }

  public List<String> getEndpoints() {
    return List.copyOf(endpoints);
  }

  public RoutingTableOptions setEndpoints(List<String> endpoints) {
    this.endpoints = new ArrayList<>(endpoints);
    return this;
  }

  public String getRoot() {
    return root;
  }

  public RoutingTableOptions setRoot(String root) {
    this.root = root;
    return this;
  }

  public String getAddress() {
    return address;
  }

  public RoutingTableOptions setAddress(String address) {
    this.address = address;
    return this;
  }

  public String getName() {
    return name;
  }

  public RoutingTableOptions setName(String name) {
    this.name = name;
    return this;
  }

  public int getReplicas() {
    return replicas;
  }

  public RoutingTableOptions setReplicas(int replicas) {
    this.replicas = replicas;
    return this;
  }

  public List<String> getItems() {
    return List.copyOf(items);
  }

  public RoutingTableOptions setItems(List<String> items) {
    this.items = new ArrayList<>(items);
    return this;
  }

  public long getCallTimeoutMillis() {
    return callTimeoutMillis;
  }

  public RoutingTableOptions setCallTimeoutMillis(long callTimeoutMillis) {
    this.callTimeoutMillis = callTimeoutMillis;
    return this;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }

  private static String string(JsonObject json, String key, String dflt) {
    Object v = json.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof String s)) {
      throw new ConfigException(key, "must be a string, was " + v);
    }
    return s;
  }

  private static long number(JsonObject json, String key, long dflt) {
    Object v = json.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new ConfigException(key, "must be an integer, was " + v);
    }
    return n.longValue();
  }

  private static List<String> strings(Object v, String key) {
    if (!(v instanceof JsonArray arr)) {
      throw new ConfigException(key, "must be a list of strings, was " + v);
    }
    List<String> out = new ArrayList<>();
    for (Object o : arr) {
      if (!(o instanceof String s)) {
        throw new ConfigException(key, "must be a list of strings, has " + o);
      }
      out.add(s);
    }
    return out;
  }
}
