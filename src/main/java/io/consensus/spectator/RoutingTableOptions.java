package io.consensus.spectator;

import io.consensus.internal.route.Names;
import io.consensus.config.ConfigException;
import io.consensus.etcd.EtcdClientOptions;
import io.consensus.internal.config.ConfigSchema;
import io.consensus.verticle.AllocatorOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of a {@link RoutingTableVerticle}, readable from JSON or set fluently.
 *
 * <pre>
 * etcd.*             how to reach etcd: endpoints (required), TLS files, user and password,
 *                    callTimeoutMillis: the keys of {@link EtcdClientOptions}
 * root               key prefix the fleet uses, e.g. "/consensus/demo"     (required)
 * address            event-bus address of route changes                  (default "consensus.spectator")
 * name               the spectator's name in its messages                (default "spectator")
 * replicas           the fleet's R, to tell replicas from extras          (default 0)
 * items              the fleet's fixed items (shown with empty routes):   (default none)
 *                    names, or {"name": N, "replicas": R} for an item's own R, as the members'
 * </pre>
 */
public final class RoutingTableOptions {
  /** Default event-bus address: distinct from the members' so both can share a Vert.x. */
  public static final String DEFAULT_ADDRESS = "consensus.spectator";
  public static final String DEFAULT_NAME = "spectator";
  public static final int DEFAULT_REPLICAS = 0;
  public static final long DEFAULT_CALL_TIMEOUT_MILLIS = EtcdClientOptions.DEFAULT_CALL_TIMEOUT_MILLIS;

  private static final ConfigSchema<RoutingTableOptions> SCHEMA = ConfigSchema.register(RoutingTableOptions.class,
      new ConfigSchema<RoutingTableOptions>()
      .include(ConfigSchema.of(EtcdClientOptions.class), o -> o.etcd)
      .string("root", RoutingTableOptions::getRoot, RoutingTableOptions::setRoot)
      .string("address", RoutingTableOptions::getAddress, RoutingTableOptions::setAddress)
      .string("name", RoutingTableOptions::getName, RoutingTableOptions::setName)
      .integer("replicas", RoutingTableOptions::getReplicas, RoutingTableOptions::setReplicas)
      .list("items", RoutingTableOptions::itemsJson, RoutingTableOptions::setItemsJson));

  private EtcdClientOptions etcd = new EtcdClientOptions();
  private String root;
  private String address = DEFAULT_ADDRESS;
  private String name = DEFAULT_NAME;
  private int replicas = DEFAULT_REPLICAS;
  private List<String> items = new ArrayList<>();
  private Map<String, Integer> itemReplicas = new LinkedHashMap<>();

  public RoutingTableOptions() {
  }

  /** A copy of {@code other}; later changes to either do not affect the other. */
  public RoutingTableOptions(RoutingTableOptions other) {
    SCHEMA.copy(other, this);
  }

  /**
   * Reads the keys of the class doc strictly.
   *
   * @throws ConfigException naming the first unknown key or wrong type
   */
  public RoutingTableOptions(JsonObject json) {
    SCHEMA.read(json, this);
  }

  /**
   * The JSON form read by {@link #RoutingTableOptions(JsonObject)}; it holds the etcd password,
   * if any ({@link #toString()} masks it).
   */
  public JsonObject toJson() {
    return SCHEMA.write(this);
  }

  /**
   * Checks every value.
   *
   * @throws ConfigException naming the first bad key
   */
  public RoutingTableOptions validate() {
    etcd.validate(true);
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
    return this;
  }

  /**
   * How the spectator reaches etcd: the options object itself, not a copy (as Vert.x's nested
   * options), so {@code getEtcdClientOptions().setTls(...)} changes these options.
   */
  public EtcdClientOptions getEtcdClientOptions() {
    return etcd;
  }

  /** Sets how the spectator reaches etcd (a copy of {@code etcd} is kept). */
  public RoutingTableOptions setEtcdClientOptions(EtcdClientOptions etcd) {
    this.etcd = new EtcdClientOptions(etcd);
    return this;
  }

  /** The etcd client URLs; see {@link #getEtcdClientOptions()}. */
  public List<String> getEndpoints() {
    return etcd.getEndpoints();
  }

  /** Sets the etcd client URLs; see {@link #getEtcdClientOptions()}. */
  public RoutingTableOptions setEndpoints(List<String> endpoints) {
    etcd.setEndpoints(endpoints);
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

  /** Fixed items, all at the fleet's R (clears per-item replicas set before). */
  public RoutingTableOptions setItems(List<String> items) {
    this.items = new ArrayList<>(items);
    this.itemReplicas = new LinkedHashMap<>();
    return this;
  }

  /** Adds fixed item {@code item} with its own R (as a member's {@code addItem}). */
  public RoutingTableOptions addItem(String item, int replicas) {
    if (!items.contains(item)) {
      items.add(item);
    }
    itemReplicas.put(item, replicas);
    return this;
  }

  /** R of the fixed items whose R differs from {@link #getReplicas()}. */
  public Map<String, Integer> getItemReplicas() {
    return Map.copyOf(itemReplicas);
  }

  private JsonArray itemsJson() {
    JsonArray a = new JsonArray();
    for (String i : items) {
      Integer r = itemReplicas.get(i);
      a.add(r == null ? i : new JsonObject().put("name", i).put("replicas", r));
    }
    return a;
  }

  /** The members' reading of {@code items}, so both accept and refuse the same values. */
  private void setItemsJson(JsonArray a) {
    AllocatorOptions o = ConfigSchema.of(AllocatorOptions.class).read(new JsonObject().put("items", a), new AllocatorOptions());
    this.items = new ArrayList<>(o.getItems());
    this.itemReplicas = new LinkedHashMap<>(o.getItemReplicas());
  }

  /** The etcd call timeout; see {@link #getEtcdClientOptions()}. */
  public long getCallTimeoutMillis() {
    return etcd.getCallTimeoutMillis();
  }

  /** Sets the etcd call timeout; see {@link #getEtcdClientOptions()}. */
  public RoutingTableOptions setCallTimeoutMillis(long callTimeoutMillis) {
    etcd.setCallTimeoutMillis(callTimeoutMillis);
    return this;
  }

  /** The settings as JSON with the etcd password masked: for logs. */
  @Override
  public String toString() {
    return SCHEMA.redacted(this).encode();
  }
}
