package io.consensus.verticle;

import io.consensus.etcd.EtcdSecurity;
import io.consensus.route.Names;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings of one allocator member, readable from JSON (the keys below, in
 * {@code conf/*.json}) or set fluently. Unknown keys and wrong types are refused with an
 * {@link ConfigException} naming the key.
 *
 * <pre>
 * etcd.endpoints          list of "http://host:port", or all "https://host:port" for TLS (required for the verticle)
 * etcd.tls.caFile         PEM CA certificate(s) that signed etcd's server certificate (default: the JVM's trust store)
 * etcd.tls.certFile       PEM client certificate, for etcd's --client-cert-auth (with etcd.tls.keyFile)
 * etcd.tls.keyFile        PEM private key of the client certificate
 * etcd.user               etcd user to authenticate as (with etcd.password)
 * etcd.password           that user's password (never logged, never in errors or toString)
 * root                    key prefix, e.g. "/consensus/demo"   (required)
 * member                  this member's name                   (default: host name + "-" + pid)
 * replicas                R, replicas per item                 (default 0)
 * items                   fixed items, always present          (default none)
 * leaseTtlSeconds         member lease TTL                     (default 10)
 * handoffTimeoutSeconds   bound on graceful exit               (default 30)
 * address                 event-bus address of route messages  (default "consensus.routes")
 * waitForMemberSeconds    wait this long for an existing member key to expire (default 0: fail)
 * maxBatch                most actions per transaction; 1 = one action per round as the Go package (default 64)
 * stateCheckMillis        how often local item states are re-read (default 1000)
 * deadlockBackoffMillis   upper bound of the rule-10 random back-off (default 250)
 * callTimeoutMillis       timeout of every etcd call (default 5000)
 * metadata                JSON object stored in the member key (default {})
 * initialState            state of an entry whose item the application has not reported on, with
 *                         the default ItemHandler (default "ready"; e.g. "warming" for event-bus apps)
 * </pre>
 */
public final class AllocatorOptions {
  public static final String DEFAULT_ADDRESS = "consensus.routes";
  static final Set<String> KEYS = Set.of("etcd", "root", "member", "replicas", "items", "leaseTtlSeconds",
      "handoffTimeoutSeconds", "address", "waitForMemberSeconds", "maxBatch", "stateCheckMillis",
      "deadlockBackoffMillis", "callTimeoutMillis", "metadata", "initialState");

  private List<String> endpoints = new ArrayList<>();
  private String root;
  private String member = defaultMemberName();
  private int replicas;
  private List<String> items = new ArrayList<>();
  private int leaseTtlSeconds = 10;
  private int handoffTimeoutSeconds = 30;
  private String address = DEFAULT_ADDRESS;
  private int waitForMemberSeconds;
  private int maxBatch = 64;
  private long stateCheckMillis = 1000;
  private long deadlockBackoffMillis = 250;
  private long callTimeoutMillis = 5000;
  private JsonObject metadata = new JsonObject();
  private String initialState = ItemHandler.READY;
  private EtcdSecurity etcdSecurity = EtcdSecurity.NONE;

  public AllocatorOptions() {
  }

  /** The top-level JSON keys {@link #fromJson} accepts ({@code etcd} holds {@code endpoints}). */
  public static Set<String> keys() {
    return KEYS;
  }

  /** Reads and validates {@code json}; see the class doc for keys. */
  public static AllocatorOptions fromJson(JsonObject json) {
    AllocatorOptions o = new AllocatorOptions();
    for (String key : json.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new ConfigException(key, "unknown key (known: " + new TreeSet<>(KEYS) + ")");
      }
    }
    JsonObject etcd = ConfigReader.object(json, "etcd");
    if (etcd != null) {
      Set<String> known = Set.of("endpoints", "user", "password", "tls");
      for (String key : etcd.fieldNames()) {
        if (!known.contains(key)) {
          throw new ConfigException("etcd." + key, "unknown key (known: " + new TreeSet<>(known) + ")");
        }
      }
      o.endpoints = ConfigReader.strings(etcd, "endpoints", "etcd.endpoints", List.of());
      JsonObject tls = ConfigReader.object(etcd, "tls");
      String ca = null;
      String cert = null;
      String key = null;
      if (tls != null) {
        Set<String> tlsKeys = Set.of("caFile", "certFile", "keyFile");
        for (String k : tls.fieldNames()) {
          if (!tlsKeys.contains(k)) {
            throw new ConfigException("etcd.tls." + k, "unknown key (known: " + new TreeSet<>(tlsKeys) + ")");
          }
        }
        ca = named("etcd.tls.caFile", () -> ConfigReader.string(tls, "caFile", null));
        cert = named("etcd.tls.certFile", () -> ConfigReader.string(tls, "certFile", null));
        key = named("etcd.tls.keyFile", () -> ConfigReader.string(tls, "keyFile", null));
      }
      String user = named("etcd.user", () -> ConfigReader.string(etcd, "user", null));
      // Never echo a password: a wrong type is reported without the value.
      if (etcd.getValue("password") != null && !(etcd.getValue("password") instanceof String)) {
        throw new ConfigException("etcd.password", "must be a string");
      }
      o.etcdSecurity = EtcdSecurity.NONE.withTls(ca, cert, key).withCredentials(user, etcd.getString("password"));
    }
    o.root = ConfigReader.string(json, "root", null);
    o.member = ConfigReader.string(json, "member", o.member);
    o.replicas = ConfigReader.integer(json, "replicas", o.replicas);
    o.items = ConfigReader.strings(json, "items", "items", List.of());
    o.leaseTtlSeconds = ConfigReader.integer(json, "leaseTtlSeconds", o.leaseTtlSeconds);
    o.handoffTimeoutSeconds = ConfigReader.integer(json, "handoffTimeoutSeconds", o.handoffTimeoutSeconds);
    o.address = ConfigReader.string(json, "address", o.address);
    o.waitForMemberSeconds = ConfigReader.integer(json, "waitForMemberSeconds", o.waitForMemberSeconds);
    o.maxBatch = ConfigReader.integer(json, "maxBatch", o.maxBatch);
    o.stateCheckMillis = ConfigReader.integer(json, "stateCheckMillis", (int) o.stateCheckMillis);
    o.deadlockBackoffMillis = ConfigReader.integer(json, "deadlockBackoffMillis", (int) o.deadlockBackoffMillis);
    o.callTimeoutMillis = ConfigReader.integer(json, "callTimeoutMillis", (int) o.callTimeoutMillis);
    JsonObject md = ConfigReader.object(json, "metadata");
    o.metadata = md == null ? new JsonObject() : md;
    o.initialState = ConfigReader.string(json, "initialState", o.initialState);
    o.validate(false);
    return o;
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
    if (replicas < 0) {
      throw new ConfigException("replicas", "must be >= 0, was " + replicas);
    }
    if (leaseTtlSeconds < 2) {
      throw new ConfigException("leaseTtlSeconds", "must be >= 2, was " + leaseTtlSeconds);
    }
    if (handoffTimeoutSeconds < 0) {
      throw new ConfigException("handoffTimeoutSeconds", "must be >= 0, was " + handoffTimeoutSeconds);
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
    if (callTimeoutMillis < 100) {
      throw new ConfigException("callTimeoutMillis", "must be >= 100, was " + callTimeoutMillis);
    }
    if (initialState == null) {
      throw new ConfigException("initialState", "must not be null");
    }
    if (address == null || address.isBlank()) {
      throw new ConfigException("address", "must not be empty");
    }
    for (String e : endpoints) {
      if (!e.matches("https?://[^/:]+:\\d{1,5}/?")) {
        throw new ConfigException("etcd.endpoints", "not of the form http://host:port: '" + e + "'");
      }
    }
    try {
      etcdSecurity.validate();
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      int colon = msg.indexOf(": ");
      throw new ConfigException(msg.substring(0, colon), msg.substring(colon + 2));
    }
    if (etcdSecurity.hasTlsFiles() && endpoints.stream().anyMatch(e -> !e.startsWith("https://"))) {
      throw new ConfigException("etcd.endpoints", "etcd.tls files are set: every endpoint must be https://host:port");
    }
    if (endpoints.stream().map(e -> e.startsWith("https://")).distinct().count() > 1) {
      throw new ConfigException("etcd.endpoints", "mixes http:// and https:// endpoints");
    }
    if (requireEndpoints && endpoints.isEmpty()) {
      throw new ConfigException("etcd.endpoints", "at least one endpoint is required");
    }
    return this;
  }

  private static String named(String key, java.util.function.Supplier<String> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      throw new ConfigException(key, e.getMessage().replaceFirst("^.*?: ", ""));
    }
  }

  private static void check(String key, Runnable r) {
    try {
      r.run();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage());
    }
  }

  /**
   * The settings as JSON, in the shape {@link #fromJson} reads. It holds the etcd password, if
   * any: it is for handing configuration on, never for logs ({@link #toString()} masks it).
   */
  public JsonObject toJson() {
    return toJson(false);
  }

  private JsonObject toJson(boolean maskSecrets) {
    JsonObject etcd = new JsonObject().put("endpoints", new JsonArray(new ArrayList<>(endpoints)));
    EtcdSecurity sec = etcdSecurity;
    if (sec.hasTlsFiles()) {
      JsonObject tls = new JsonObject();
      putIfSet(tls, "caFile", sec.caFile());
      putIfSet(tls, "certFile", sec.certFile());
      putIfSet(tls, "keyFile", sec.keyFile());
      etcd.put("tls", tls);
    }
    if (sec.hasCredentials()) {
      etcd.put("user", sec.user());
      putIfSet(etcd, "password", sec.password() == null ? null : maskSecrets ? "****" : sec.password());
    }
    return new JsonObject()
        .put("etcd", etcd)
        .put("root", root).put("member", member).put("replicas", replicas)
        .put("items", new JsonArray(new ArrayList<>(items))).put("leaseTtlSeconds", leaseTtlSeconds)
        .put("handoffTimeoutSeconds", handoffTimeoutSeconds).put("address", address)
        .put("waitForMemberSeconds", waitForMemberSeconds).put("maxBatch", maxBatch)
        .put("stateCheckMillis", stateCheckMillis).put("deadlockBackoffMillis", deadlockBackoffMillis)
        .put("callTimeoutMillis", callTimeoutMillis).put("metadata", metadata.copy())
        .put("initialState", initialState);
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

  private static void putIfSet(JsonObject json, String key, String value) {
    if (value != null) {
      json.put(key, value);
    }
  }

  /** TLS files and etcd credentials ({@link EtcdSecurity#NONE} by default). */
  public EtcdSecurity getEtcdSecurity() {
    return etcdSecurity;
  }

  /** Sets TLS files and etcd credentials. */
  public AllocatorOptions setEtcdSecurity(EtcdSecurity etcdSecurity) {
    this.etcdSecurity = etcdSecurity == null ? EtcdSecurity.NONE : etcdSecurity;
    return this;
  }

  public List<String> getEndpoints() {
    return List.copyOf(endpoints);
  }

  public AllocatorOptions setEndpoints(List<String> endpoints) {
    this.endpoints = new ArrayList<>(endpoints);
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

  public AllocatorOptions setItems(List<String> items) {
    this.items = new ArrayList<>(items);
    return this;
  }

  public int getLeaseTtlSeconds() {
    return leaseTtlSeconds;
  }

  public AllocatorOptions setLeaseTtlSeconds(int leaseTtlSeconds) {
    this.leaseTtlSeconds = leaseTtlSeconds;
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

  public long getCallTimeoutMillis() {
    return callTimeoutMillis;
  }

  public AllocatorOptions setCallTimeoutMillis(long callTimeoutMillis) {
    this.callTimeoutMillis = callTimeoutMillis;
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

  /** Options as a map, for logging. */
  @Override
  public String toString() {
    Map<String, Object> m = toJson(true).getMap();
    return m.toString();
  }
}
