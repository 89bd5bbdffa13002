package io.consensus.verticle;

import io.consensus.internal.route.MemberRecord;
import io.consensus.config.ConfigException;
import io.consensus.internal.config.ConfigSchema;
import io.consensus.etcd.EtcdClientOptions;
import io.consensus.etcd.EtcdSecurity;
import io.consensus.internal.route.Names;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Settings of one allocator member, in the Vert.x options style: set fluently, read from JSON
 * ({@link #AllocatorOptions(JsonObject)}, the keys below, as in {@code conf/*.json}), written
 * as JSON ({@link #toJson()}), copied ({@link #AllocatorOptions(AllocatorOptions)}). Reading
 * JSON is strict: an unknown key, a wrong JSON type or a bad value is refused with a
 * {@link ConfigException} naming the key; nothing is coerced.
 *
 * <pre>
 * etcd.*, callTimeoutMillis  how to reach etcd: the keys of {@link EtcdClientOptions} (endpoints
 *                         required for the verticle)
 * root                    key prefix, e.g. "/consensus/demo"   (required)
 * member                  this member's name                   (default: host name + "-" + pid)
 * replicas                R, replicas per item                 (default 0)
 * items                   fixed items, always present: names, or {"name": ..., "replicas": N} objects
 *                         for an item whose R differs from the fleet's (default none)
 * leaseTtlSeconds         member lease TTL                     (default 10)
 * handoffTimeoutSeconds   bound on graceful exit               (default 30)
 * restartGraceSeconds     how long a member stopping for a restart keeps its replica entries for its
 *                         next incarnation (same member name) to adopt; 0 = a stop is a leave (default 0)
 * address                 event-bus address of route messages  (default "consensus.routes")
 * waitForMemberSeconds    wait this long for an existing member key to expire (default 0: fail)
 * maxBatch                most actions per transaction, 1..128; 1 = one action per round (default 64)
 * stateCheckMillis        how often local item states are re-read (default 1000)
 * deadlockBackoffMillis   upper bound of the random back-off of the TAKE_AFTER_BACKOFF and FORCED_HANDOFF rules (default 250)
 * metadata                JSON object stored in the member key (default {}); may not use the reserved
 *                         names zone, itemLimit, weight, drained
 * zone                    this member's fault zone, a name like "eu-west-1a"; an item's entries spread
 *                         over distinct zones (default none)
 * itemLimit               most entries (masters + replicas) this member may hold (default: no limit)
 * weight                  this member's share of masters relative to the others (default 1)
 * maxLoadingEntries       most entries this member holds whose state is not yet ready for promotion
 *                         (loading); takes of items that have a master wait beyond it, masters of
 *                         items without any master never do (default: no limit)
 * drained                 start drained: take nothing, hand off everything, stay up (default false)
 * initialState            state of an entry whose item the application has not reported on, with
 *                         the default ItemHandler (default "ready"; e.g. "warming" for event-bus apps)
 * </pre>
 *
 * <p>Adding a key: a field with its {@code DEFAULT_*}, a getter and a fluent setter, one line in
 * {@link #SCHEMA}, and its check in {@link #validate}. JSON reading, {@code toJson}, the copy
 * constructor and the launcher's {@code ALLOCATOR_*} / {@code allocator.*} overrides follow from
 * the schema line.
 */
public final class AllocatorOptions {
  public static final String DEFAULT_ADDRESS = "consensus.routes";
  public static final int DEFAULT_REPLICAS = 0;
  public static final int DEFAULT_LEASE_TTL_SECONDS = 10;
  public static final int DEFAULT_HANDOFF_TIMEOUT_SECONDS = 30;
  public static final int DEFAULT_RESTART_GRACE_SECONDS = 0;
  public static final int DEFAULT_WAIT_FOR_MEMBER_SECONDS = 0;
  public static final int DEFAULT_MAX_BATCH = 64;
  public static final long DEFAULT_STATE_CHECK_MILLIS = 1000;
  public static final long DEFAULT_DEADLOCK_BACKOFF_MILLIS = 250;
  public static final long DEFAULT_CALL_TIMEOUT_MILLIS = EtcdClientOptions.DEFAULT_CALL_TIMEOUT_MILLIS;
  public static final String DEFAULT_INITIAL_STATE = ItemHandler.READY;
  public static final String DEFAULT_ZONE = null;
  public static final Integer DEFAULT_ITEM_LIMIT = null;
  public static final Integer DEFAULT_MAX_LOADING_ENTRIES = null;
  public static final double DEFAULT_WEIGHT = 1.0;
  public static final boolean DEFAULT_DRAINED = false;
  /** Fields of the member key's value that the allocator owns; {@code metadata} may not use them. */
  public static final List<String> RESERVED_METADATA = List.of(MemberRecord.ZONE, MemberRecord.ITEM_LIMIT,
      MemberRecord.WEIGHT, MemberRecord.DRAINED);

  /** The JSON keys, each declared once. */
  private static final ConfigSchema<AllocatorOptions> SCHEMA = ConfigSchema.register(AllocatorOptions.class,
      new ConfigSchema<AllocatorOptions>()
      .include(ConfigSchema.of(EtcdClientOptions.class), o -> o.etcd)
      .string("root", AllocatorOptions::getRoot, AllocatorOptions::setRoot)
      .string("member", AllocatorOptions::getMember, AllocatorOptions::setMember)
      .integer("replicas", AllocatorOptions::getReplicas, AllocatorOptions::setReplicas)
      .list("items", AllocatorOptions::itemsJson, AllocatorOptions::setItemsJson)
      .integer("leaseTtlSeconds", AllocatorOptions::getLeaseTtlSeconds, AllocatorOptions::setLeaseTtlSeconds)
      .integer("handoffTimeoutSeconds", AllocatorOptions::getHandoffTimeoutSeconds,
          AllocatorOptions::setHandoffTimeoutSeconds)
      .integer("restartGraceSeconds", AllocatorOptions::getRestartGraceSeconds,
          AllocatorOptions::setRestartGraceSeconds)
      .string("address", AllocatorOptions::getAddress, AllocatorOptions::setAddress)
      .integer("waitForMemberSeconds", AllocatorOptions::getWaitForMemberSeconds,
          AllocatorOptions::setWaitForMemberSeconds)
      .integer("maxBatch", AllocatorOptions::getMaxBatch, AllocatorOptions::setMaxBatch)
      .longInteger("stateCheckMillis", AllocatorOptions::getStateCheckMillis, AllocatorOptions::setStateCheckMillis)
      .longInteger("deadlockBackoffMillis", AllocatorOptions::getDeadlockBackoffMillis,
          AllocatorOptions::setDeadlockBackoffMillis)
      .object("metadata", AllocatorOptions::getMetadata, AllocatorOptions::setMetadata)
      .string("initialState", AllocatorOptions::getInitialState, AllocatorOptions::setInitialState)
      .string("zone", AllocatorOptions::getZone, AllocatorOptions::setZone)
      .optionalInteger("itemLimit", AllocatorOptions::getItemLimit, AllocatorOptions::setItemLimit)
      .optionalInteger("maxLoadingEntries", AllocatorOptions::getMaxLoadingEntries,
          AllocatorOptions::setMaxLoadingEntries)
      .number("weight", AllocatorOptions::getWeight, AllocatorOptions::setWeight)
      .bool("drained", AllocatorOptions::isDrained, AllocatorOptions::setDrained));

  private EtcdClientOptions etcd = new EtcdClientOptions();
  private String root;
  private String member = defaultMemberName();
  private int replicas = DEFAULT_REPLICAS;
  private List<String> items = new ArrayList<>();
  private int leaseTtlSeconds = DEFAULT_LEASE_TTL_SECONDS;
  private int handoffTimeoutSeconds = DEFAULT_HANDOFF_TIMEOUT_SECONDS;
  private int restartGraceSeconds = DEFAULT_RESTART_GRACE_SECONDS;
  private String address = DEFAULT_ADDRESS;
  private int waitForMemberSeconds = DEFAULT_WAIT_FOR_MEMBER_SECONDS;
  private int maxBatch = DEFAULT_MAX_BATCH;
  private long stateCheckMillis = DEFAULT_STATE_CHECK_MILLIS;
  private long deadlockBackoffMillis = DEFAULT_DEADLOCK_BACKOFF_MILLIS;
  private JsonObject metadata = new JsonObject();
  private String initialState = DEFAULT_INITIAL_STATE;
  private Map<String, Integer> itemReplicas = new LinkedHashMap<>();
  private String zone = DEFAULT_ZONE;
  private Integer itemLimit = DEFAULT_ITEM_LIMIT;
  private Integer maxLoadingEntries = DEFAULT_MAX_LOADING_ENTRIES;
  private double weight = DEFAULT_WEIGHT;
  private boolean drained = DEFAULT_DRAINED;

  /** Defaults; {@code root} must still be set. */
  public AllocatorOptions() {
  }

  /** A copy of {@code other}; later changes to either do not affect the other. */
  public AllocatorOptions(AllocatorOptions other) {
    SCHEMA.copy(other, this);
  }

  /**
   * Reads {@code json} (see the class doc for keys) strictly and validates it; endpoints may
   * be empty here (the launcher embeds etcd then).
   *
   * @throws ConfigException naming the first unknown key, wrongly typed or bad value
   */
  public AllocatorOptions(JsonObject json) {
    SCHEMA.read(json, this);
    validate(false);
  }

  /**
   * Checks every setting; {@code requireEndpoints} also demands at least one etcd endpoint.
   *
   * @throws ConfigException naming the first bad key
   */
  public AllocatorOptions validate(boolean requireEndpoints) {
    if (root == null || root.isEmpty()) {
      throw new ConfigException("root", "required, e.g. \"/consensus/demo\"");
    }
    check("root", () -> Names.checkRoot(root));
    check("member", () -> Names.check("member", member));
    for (String item : items) {
      check("items", () -> Names.check("item", item));
    }
    if (new TreeSet<>(items).size() != items.size()) {
      throw new ConfigException("items", "duplicate item names");
    }
    for (Map.Entry<String, Integer> e : itemReplicas.entrySet()) {
      if (!items.contains(e.getKey())) {
        throw new ConfigException("items", "replicas given for '" + e.getKey() + "', which is not a fixed item");
      }
      if (e.getValue() < 0) {
        throw new ConfigException("items", "replicas of '" + e.getKey() + "' must be >= 0, was " + e.getValue());
      }
    }
    if (zone != null && !MemberRecord.isZone(zone)) {
      throw new ConfigException("zone", "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter "
          + "or digit, was \"" + zone + "\"");
    }
    if (maxLoadingEntries != null && maxLoadingEntries < 1) {
      throw new ConfigException("maxLoadingEntries", "must be >= 1, was " + maxLoadingEntries);
    }
    if (itemLimit != null && itemLimit < 0) {
      throw new ConfigException("itemLimit", "must be >= 0, was " + itemLimit);
    }
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new ConfigException("weight", "must be a positive number, was " + weight);
    }
    for (String reserved : RESERVED_METADATA) {
      if (metadata.containsKey(reserved)) {
        throw new ConfigException("metadata", "must not use the reserved field '" + reserved
            + "' (set the config key '" + reserved + "' instead)");
      }
    }
    if (replicas < 0) {
      throw new ConfigException("replicas", "must be >= 0, was " + replicas);
    }
    if (leaseTtlSeconds < 2) {
      throw new ConfigException("leaseTtlSeconds", "must be >= 2, was " + leaseTtlSeconds);
    }
    if (handoffTimeoutSeconds < 0) {
      throw new ConfigException("handoffTimeoutSeconds", "must be >= 0, was " + handoffTimeoutSeconds);
    }
    if (restartGraceSeconds < 0) {
      throw new ConfigException("restartGraceSeconds", "must be >= 0, was " + restartGraceSeconds);
    }
    if (waitForMemberSeconds < 0) {
      throw new ConfigException("waitForMemberSeconds", "must be >= 0, was " + waitForMemberSeconds);
    }
    if (maxBatch < 1 || maxBatch > 128) {
      throw new ConfigException("maxBatch", "must be 1..128 (etcd's default --max-txn-ops), was " + maxBatch);
    }
    if (stateCheckMillis < 10) {
      throw new ConfigException("stateCheckMillis", "must be >= 10, was " + stateCheckMillis);
    }
    if (deadlockBackoffMillis < 1) {
      throw new ConfigException("deadlockBackoffMillis", "must be >= 1, was " + deadlockBackoffMillis);
    }
    if (initialState == null) {
      throw new ConfigException("initialState", "must not be null");
    }
    if (address == null || address.isBlank()) {
      throw new ConfigException("address", "must not be empty");
    }
    etcd.validate(requireEndpoints);
    return this;
  }

  private static void check(String key, Runnable r) {
    try {
      r.run();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }

  /**
   * The settings as JSON, in the shape {@link #AllocatorOptions(JsonObject)} reads (unset keys left
   * out). It holds the etcd password, if any: it is for handing configuration on, never for logs
   * ({@link #toString()} masks it).
   */
  public JsonObject toJson() {
    return SCHEMA.write(this);
  }

  static String defaultMemberName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "host";
    }
    String pid = ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
    return (host + "-" + pid).replace('/', '_');
  }

  /**
   * How this member reaches etcd: the options object itself, not a copy (as Vert.x's nested
   * options), so {@code getEtcdClientOptions().setCredentials(...)} changes these options.
   */
  public EtcdClientOptions getEtcdClientOptions() {
    return etcd;
  }

  /** Sets how this member reaches etcd (a copy of {@code etcd} is kept). */
  public AllocatorOptions setEtcdClientOptions(EtcdClientOptions etcd) {
    this.etcd = new EtcdClientOptions(etcd);
    return this;
  }

  /** TLS files and etcd credentials ({@link EtcdSecurity#NONE} by default); see {@link #getEtcdClientOptions()}. */
  public EtcdSecurity getEtcdSecurity() {
    return etcd.getSecurity();
  }

  /** Sets TLS files and etcd credentials; see {@link #getEtcdClientOptions()}. */
  public AllocatorOptions setEtcdSecurity(EtcdSecurity etcdSecurity) {
    etcd.setSecurity(etcdSecurity);
    return this;
  }

  /** The etcd client URLs; see {@link #getEtcdClientOptions()}. */
  public List<String> getEndpoints() {
    return etcd.getEndpoints();
  }

  /** Sets the etcd client URLs; see {@link #getEtcdClientOptions()}. */
  public AllocatorOptions setEndpoints(List<String> endpoints) {
    etcd.setEndpoints(endpoints);
    return this;
  }

  public String getRoot() {
    return root;
  }

  public AllocatorOptions setRoot(String root) {
    this.root = root;
    return this;
  }

  public String getMember() {
    return member;
  }

  public AllocatorOptions setMember(String member) {
    this.member = member;
    return this;
  }

  public int getReplicas() {
    return replicas;
  }

  public AllocatorOptions setReplicas(int replicas) {
    this.replicas = replicas;
    return this;
  }

  public List<String> getItems() {
    return List.copyOf(items);
  }

  /** Fixed items, all at the fleet's R (clears per-item replicas set before). */
  public AllocatorOptions setItems(List<String> items) {
    this.items = new ArrayList<>(items);
    this.itemReplicas = new LinkedHashMap<>();
    return this;
  }

  /** Adds fixed item {@code item} with its own replica count {@code replicas}. */
  public AllocatorOptions addItem(String item, int replicas) {
    if (!items.contains(item)) {
      items.add(item);
    }
    itemReplicas.put(item, replicas);
    return this;
  }

  /** Replica counts of fixed items whose R differs from {@link #getReplicas()}. */
  public Map<String, Integer> getItemReplicas() {
    return Map.copyOf(itemReplicas);
  }

  /** The {@code items} key as JSON: names, or {@code {"name", "replicas"}} objects. */
  JsonArray itemsJson() {
    JsonArray a = new JsonArray();
    for (String i : items) {
      Integer r = itemReplicas.get(i);
      a.add(r == null ? i : new JsonObject().put("name", i).put("replicas", r));
    }
    return a;
  }

  /** Reads the {@code items} key strictly; a bad element is refused naming the key. */
  void setItemsJson(JsonArray a) {
    List<String> names = new ArrayList<>();
    Map<String, Integer> reps = new LinkedHashMap<>();
    for (Object e : a) {
      if (e instanceof String name) {
        names.add(name);
        continue;
      }
      JsonObject o = (JsonObject) e;
      for (String f : o.fieldNames()) {
        if (!f.equals("name") && !f.equals("replicas")) {
          throw new ConfigException("items", "unknown field '" + f + "' in " + o.encode()
              + " (known: name, replicas)");
        }
      }
      if (!(o.getValue("name") instanceof String name)) {
        throw new ConfigException("items", "an item object needs a string \"name\", was " + o.encode());
      }
      Object r = o.getValue("replicas");
      if (r != null && !(r instanceof Integer || r instanceof Long)) {
        throw new ConfigException("items", "\"replicas\" of '" + name + "' must be an integer, was " + o.encode());
      }
      names.add(name);
      if (r != null) {
        long rl = ((Number) r).longValue();
        if (rl < 0 || rl > 1000) {
          throw new ConfigException("items", "\"replicas\" of '" + name + "' must be 0..1000, was " + rl);
        }
        reps.put(name, (int) rl);
      }
    }
    this.items = names;
    this.itemReplicas = reps;
  }

  /** This member's fault zone, null when none. */
  public String getZone() {
    return zone;
  }

  /** See {@link #getZone()}; stored in the member key's value as {@code "zone"}. */
  public AllocatorOptions setZone(String zone) {
    this.zone = zone;
    return this;
  }

  /**
   * Most entries this member holds whose state is not yet ready for promotion (loads in
   * progress), or null for no limit (the default). Takes of items that have a master wait while
   * the member is at it; taking the master of an item without any master never waits.
   */
  public Integer getMaxLoadingEntries() {
    return maxLoadingEntries;
  }

  /** See {@link #getMaxLoadingEntries()}. */
  public AllocatorOptions setMaxLoadingEntries(Integer maxLoadingEntries) {
    this.maxLoadingEntries = maxLoadingEntries;
    return this;
  }

  /** Most entries this member may hold, null for no limit. */
  public Integer getItemLimit() {
    return itemLimit;
  }

  /** See {@link #getItemLimit()}; stored in the member key's value as {@code "itemLimit"}. */
  public AllocatorOptions setItemLimit(Integer itemLimit) {
    this.itemLimit = itemLimit;
    return this;
  }

  /** This member's share of masters relative to the others (default 1). */
  public double getWeight() {
    return weight;
  }

  /** See {@link #getWeight()}; stored in the member key's value as {@code "weight"}. */
  public AllocatorOptions setWeight(double weight) {
    this.weight = weight;
    return this;
  }

  /** Whether the member starts drained: it takes nothing and hands off what it holds, staying up. */
  public boolean isDrained() {
    return drained;
  }

  /** See {@link #isDrained()}; stored in the member key's value as {@code "drained": true}. */
  public AllocatorOptions setDrained(boolean drained) {
    this.drained = drained;
    return this;
  }

  public int getLeaseTtlSeconds() {
    return leaseTtlSeconds;
  }

  public AllocatorOptions setLeaseTtlSeconds(int leaseTtlSeconds) {
    this.leaseTtlSeconds = leaseTtlSeconds;
    return this;
  }

  /**
   * How long a member stopping for a restart ({@link AllocatorVerticle#restart()}, or SIGTERM in
   * the launcher when this is set) keeps its replica entries in etcd for its next incarnation to
   * adopt without re-placing them; 0 (default) makes every stop a leave.
   */
  public int getRestartGraceSeconds() {
    return restartGraceSeconds;
  }

  /** See {@link #getRestartGraceSeconds()}. */
  public AllocatorOptions setRestartGraceSeconds(int restartGraceSeconds) {
    this.restartGraceSeconds = restartGraceSeconds;
    return this;
  }

  public int getHandoffTimeoutSeconds() {
    return handoffTimeoutSeconds;
  }

  public AllocatorOptions setHandoffTimeoutSeconds(int handoffTimeoutSeconds) {
    this.handoffTimeoutSeconds = handoffTimeoutSeconds;
    return this;
  }

  public String getAddress() {
    return address;
  }

  public AllocatorOptions setAddress(String address) {
    this.address = address;
    return this;
  }

  public int getWaitForMemberSeconds() {
    return waitForMemberSeconds;
  }

  public AllocatorOptions setWaitForMemberSeconds(int waitForMemberSeconds) {
    this.waitForMemberSeconds = waitForMemberSeconds;
    return this;
  }

  public int getMaxBatch() {
    return maxBatch;
  }

  public AllocatorOptions setMaxBatch(int maxBatch) {
    this.maxBatch = maxBatch;
    return this;
  }

  public long getStateCheckMillis() {
    return stateCheckMillis;
  }

  public AllocatorOptions setStateCheckMillis(long stateCheckMillis) {
    this.stateCheckMillis = stateCheckMillis;
    return this;
  }

  public long getDeadlockBackoffMillis() {
    return deadlockBackoffMillis;
  }

  public AllocatorOptions setDeadlockBackoffMillis(long deadlockBackoffMillis) {
    this.deadlockBackoffMillis = deadlockBackoffMillis;
    return this;
  }

  /** The etcd call timeout; see {@link #getEtcdClientOptions()}. */
  public long getCallTimeoutMillis() {
    return etcd.getCallTimeoutMillis();
  }

  /** Sets the etcd call timeout; see {@link #getEtcdClientOptions()}. */
  public AllocatorOptions setCallTimeoutMillis(long callTimeoutMillis) {
    etcd.setCallTimeoutMillis(callTimeoutMillis);
    return this;
  }

  public JsonObject getMetadata() {
    return metadata.copy();
  }

  public AllocatorOptions setMetadata(JsonObject metadata) {
    this.metadata = metadata.copy();
    return this;
  }

  public String getInitialState() {
    return initialState;
  }

  public AllocatorOptions setInitialState(String initialState) {
    this.initialState = initialState;
    return this;
  }

  /** Options as JSON for logging; secrets are hidden. */
  @Override
  public String toString() {
    return SCHEMA.redacted(this).encode();
  }
}
