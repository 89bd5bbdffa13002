package io.consensus.launcher;

import io.consensus.config.ConfigException;
import io.consensus.internal.config.ConfigSchema;
import io.consensus.verticle.AllocatorOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The launcher's configuration: every key of {@link AllocatorOptions} plus {@code http}
 * ({@code {"port": N, "host": "127.0.0.1", "adminToken": "..."}}: port 0 = a free port, absent
 * = no HTTP server; host default loopback; the token enables the {@code /admin} API),
 * {@code role} ({@code "member"} or {@code "spectator"}) and {@code demo}
 * ({@code {"members": N}}: run N members in this process and print the route table).
 *
 * <p>Overrides, strongest first: system properties {@code allocator.<key>}, then environment
 * variables {@code ALLOCATOR_<KEY>}, then the config file. {@code <key>} is the dotted path
 * ({@code replicas}, {@code etcd.endpoints}, {@code http.port}, {@code leaseTtlSeconds});
 * {@code <KEY>} is the same path in upper snake case ({@code REPLICAS}, {@code ETCD_ENDPOINTS},
 * {@code HTTP_PORT}, {@code LEASE_TTL_SECONDS}). Override values are strings: lists are
 * comma-separated, numbers decimal, {@code metadata} inline JSON. The config file itself is
 * strict JSON: a wrong type there ({@code "items": "a"}, {@code "replicas": "2"}) is refused,
 * never coerced. An unknown key in the file or an unknown {@code allocator.*} property is an
 * error; an {@code ALLOCATOR_*} environment variable that is no override is ignored with one
 * warning naming every such variable ({@link #ignoredEnvironment}): an orchestrator injects
 * variables of its own under that prefix (Kubernetes: {@code ALLOCATOR_SERVICE_HOST},
 * {@code ALLOCATOR_PORT_8080_TCP}, ... for a Service named {@code allocator}), and a misspelt
 * override stays visible in that warning.
 */
public final class MemberConfig {
  /** Prefix of environment variables that override config keys. */
  public static final String ENV_PREFIX = "ALLOCATOR_";
  /** Prefix of system properties that override config keys. */
  public static final String SYS_PREFIX = "allocator.";

  /** Demo members when {@code demo} is given without {@code members}. */
  public static final int DEFAULT_DEMO_MEMBERS = 3;
  /** {@code role} of a process that runs an allocator member (the default). */
  public static final String ROLE_MEMBER = "member";
  /** {@code role} of a process that only follows the routes (a {@code RoutingTableVerticle}). */
  public static final String ROLE_SPECTATOR = "spectator";
  /** Default {@code http.host}: loopback only. */
  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";

  /** The launcher's own keys; every other key belongs to {@link AllocatorOptions#schema()}. */
  private static final ConfigSchema<Own> SCHEMA = new ConfigSchema<Own>()
      .string("role", o -> o.role, (o, v) -> o.role = v)
      .string("servingLog", o -> o.servingLog, (o, v) -> o.servingLog = v)
      .integer("http.port", o -> o.httpPort == null ? 0 : o.httpPort, (o, v) -> o.httpPort = v)
      .string("http.host", o -> o.httpHost, (o, v) -> o.httpHost = v)
      .secret("http.adminToken", o -> o.adminToken, (o, v) -> o.adminToken = v)
      .integer("demo.members", o -> o.demoMembers == null ? 0 : o.demoMembers, (o, v) -> o.demoMembers = v);

  /** The launcher's own settings while they are read; null = not given. */
  private static final class Own {
    String role;
    String servingLog;
    Integer httpPort;
    String httpHost;
    String adminToken;
    Integer demoMembers;
  }

  private final AllocatorOptions allocator;
  private final Integer httpPort;
  private final int demoMembers;
  private final String role;
  private final String httpHost;
  private final String adminToken;
  private final String servingLog;

  private MemberConfig(AllocatorOptions allocator, Integer httpPort, int demoMembers, String role, String httpHost,
      String adminToken, String servingLog) {
    this.servingLog = servingLog;
    this.allocator = allocator;
    this.httpPort = httpPort;
    this.demoMembers = demoMembers;
    this.role = role;
    this.httpHost = httpHost;
    this.adminToken = adminToken;
  }

  /**
   * Reads a merged config (overrides already applied) strictly: wrong JSON types are refused,
   * never coerced.
   *
   * @throws ConfigException naming the first bad key
   */
  public static MemberConfig fromJson(JsonObject json) {
    JsonObject rest = json.copy();
    JsonObject own = new JsonObject();
    for (String section : List.of("role", "http", "demo", "servingLog")) {
      if (rest.containsKey(section)) {
        own.put(section, rest.remove(section));
      }
    }
    Own o = SCHEMA.read(own, new Own());
    String role = o.role == null ? ROLE_MEMBER : o.role;
    if (!ROLE_MEMBER.equals(role) && !ROLE_SPECTATOR.equals(role)) {
      throw new ConfigException("role", "must be \"member\" or \"spectator\", was " + role);
    }
    // http without a port means no server: the admin token may arrive from the environment alone.
    Integer port = o.httpPort == null ? null : inRange("http.port", o.httpPort, 0, 65535);
    String host = nonBlank("http.host", o.httpHost, DEFAULT_HTTP_HOST);
    String token = nonBlank("http.adminToken", o.adminToken, null);
    int members = 0;
    if (own.containsKey("demo")) {
      members = o.demoMembers == null ? DEFAULT_DEMO_MEMBERS : inRange("demo.members", o.demoMembers, 1, 20);
      if (port != null) {
        throw new ConfigException("http", "not supported together with demo (the demo prints its table instead)");
      }
    }
    if (members > 0 && role.equals(ROLE_SPECTATOR)) {
      throw new ConfigException("role", "a spectator cannot run the demo");
    }
    String servingLog = nonBlank("servingLog", o.servingLog, null);
    return new MemberConfig(new AllocatorOptions(rest), port, members, role, host, token, servingLog);
  }

  private static int inRange(String key, int n, int min, int max) {
    if (n < min || n > max) {
      throw new ConfigException(key, "must be " + min + ".." + max + ", was " + n);
    }
    return n;
  }

  private static String nonBlank(String key, String v, String dflt) {
    if (v == null) {
      return dflt;
    }
    if (v.isBlank()) {
      throw new ConfigException(key, "must be a non-empty string"); // never echo: it may be a secret
    }
    return v;
  }

  /** The allocator's options (endpoints may still be empty: embedded etcd). */
  public AllocatorOptions allocator() {
    return allocator;
  }

  /** The HTTP port (0 = any free port), or null for no HTTP server. */
  public Integer httpPort() {
    return httpPort;
  }

  /** {@link #ROLE_MEMBER} or {@link #ROLE_SPECTATOR}. */
  public String role() {
    return role;
  }

  /** The address the HTTP server binds ({@code http.host}, default 127.0.0.1). */
  public String httpHost() {
    return httpHost;
  }

  /** The token the {@code /admin} API requires ({@code http.adminToken}), or null: admin API off. */
  public String adminToken() {
    return adminToken;
  }

  /** How many members the demo runs, 0 when this is not a demo. */
  public int demoMembers() {
    return demoMembers;
  }

  /**
   * File to which the member appends what its application serves (JSON lines, see
   * {@code ServingLog}), or null. For fault-injection runs that check fencing.
   */
  public String servingLog() {
    return servingLog;
  }

  /** Whether etcd must be embedded (no endpoints configured). */
  public boolean embedEtcd() {
    return allocator.getEndpoints().isEmpty();
  }

  // ---------------------------------------------------------------- overrides

  /** Every dotted key path that an environment variable or system property may set. */
  public static Set<String> overridablePaths() {
    Set<String> out = new TreeSet<>(ConfigSchema.of(AllocatorOptions.class).paths());
    out.addAll(SCHEMA.paths());
    return out;
  }

  /** {@code etcd.endpoints} -> {@code ALLOCATOR_ETCD_ENDPOINTS}, {@code leaseTtlSeconds} -> {@code ALLOCATOR_LEASE_TTL_SECONDS}. */
  public static String envName(String path) {
    return ENV_PREFIX + path.replace('.', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }

  /** The environment override of every overridable path, by variable name. */
  public static Map<String, String> envOverrides() {
    Map<String, String> byEnvName = new TreeMap<>();
    overridablePaths().forEach(p -> byEnvName.put(envName(p), p));
    return byEnvName;
  }

  /** The {@code ALLOCATOR_*} names in {@code env} that are no override (ignored by {@link #applyOverrides}), sorted. */
  public static List<String> ignoredEnvironment(Map<String, ?> env) {
    Map<String, String> known = envOverrides();
    return env.keySet().stream().filter(k -> k.startsWith(ENV_PREFIX) && !known.containsKey(k)).sorted().toList();
  }

  /**
   * Returns {@code base} with overrides applied: {@code env} entries named
   * {@code ALLOCATOR_*} that are overrides, then {@code sys} entries named {@code allocator.*};
   * other entries are ignored (see {@link #ignoredEnvironment}).
   *
   * @throws ConfigException for an unknown {@code allocator.*} property, an override value that
   *     does not parse, or an unreadable {@code metadata}
   */
  public static JsonObject applyOverrides(JsonObject base, Map<String, ?> env, Map<String, ?> sys) {
    Map<String, String> byEnvName = envOverrides();
    JsonObject out = base.copy();
    for (Map.Entry<String, ?> e : new TreeMap<>(env).entrySet()) {
      String path = byEnvName.get(e.getKey());
      if (path != null) {
        set(out, path, e.getKey(), String.valueOf(e.getValue()));
      }
    }
    Set<String> paths = overridablePaths();
    for (Map.Entry<String, ?> e : new TreeMap<>(sys).entrySet()) {
      if (!e.getKey().startsWith(SYS_PREFIX)) {
        continue;
      }
      String path = e.getKey().substring(SYS_PREFIX.length());
      if (!paths.contains(path)) {
        throw new ConfigException(e.getKey(), "unknown system property override (known: allocator." + paths + ")");
      }
      set(out, path, e.getKey(), String.valueOf(e.getValue()));
    }
    return out;
  }

  /** Sets {@code path} in {@code json} to the typed value of the override string. */
  private static void set(JsonObject json, String path, String source, String value) {
    Object v = (SCHEMA.type(path) != null ? SCHEMA.parseOverride(path, source, value)
        : ConfigSchema.of(AllocatorOptions.class).parseOverride(path, source, value));
    String[] parts = path.split("\\.");
    JsonObject at = json;
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = at.getValue(parts[i]);
      if (!(child instanceof JsonObject)) {
        // A non-object here is reported by fromJson; an override replaces it.
        child = new JsonObject();
        at.put(parts[i], child);
      }
      at = (JsonObject) child;
    }
    at.put(parts[parts.length - 1], v);
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    parts.add(allocator.toString());
    if (!role.equals(ROLE_MEMBER)) {
      parts.add("role=" + role);
    }
    if (httpPort != null) {
      parts.add("http.port=" + httpPort);
      parts.add("http.host=" + httpHost);
    }
    if (adminToken != null) {
      parts.add("http.adminToken=(set)");
    }
    if (demoMembers > 0) {
      parts.add("demo.members=" + demoMembers);
    }
    return String.join(", ", parts);
  }
}
