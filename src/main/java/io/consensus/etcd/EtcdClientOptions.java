package io.consensus.etcd;

import io.consensus.config.ConfigException;
import io.consensus.internal.config.ConfigSchema;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * How to reach etcd: endpoints, the call timeout, TLS files and credentials. One object shared
 * by every client of the project (the member's {@code AllocatorOptions}, the spectator's
 * {@code RoutingTableOptions}, the admin client, the launcher's CLI and admin API), so each
 * reaches a secured etcd the same way and the keys are checked in one place. Vert.x options
 * style: fluent setters, JSON ({@link #EtcdClientOptions(JsonObject)}, {@link #toJson()}) and
 * copy constructors.
 *
 * <pre>
 * etcd.endpoints     list of "http://host:port", or all "https://host:port" for TLS
 * etcd.tls.caFile    PEM CA certificate(s) that signed etcd's server certificate (default: the JVM's trust store)
 * etcd.tls.certFile  PEM client certificate, for etcd's --client-cert-auth (with etcd.tls.keyFile)
 * etcd.tls.keyFile   PEM private key of the client certificate
 * etcd.user          etcd user to authenticate as (with etcd.password)
 * etcd.password      that user's password (never logged, never in errors or toString)
 * callTimeoutMillis  timeout of every etcd call (default 5000, at least 100)
 * </pre>
 *
 * <p>The keys sit at the top level of the configuration that embeds these options, as
 * documented for the member and the spectator.
 */
public final class EtcdClientOptions {
  public static final long DEFAULT_CALL_TIMEOUT_MILLIS = 5000;
  /** The smallest call timeout accepted: below it, a loaded etcd times out ordinary calls. */
  public static final long MIN_CALL_TIMEOUT_MILLIS = 100;

  private static final ConfigSchema<EtcdClientOptions> SCHEMA = ConfigSchema.register(EtcdClientOptions.class,
      new ConfigSchema<EtcdClientOptions>()
      .strings("etcd.endpoints", EtcdClientOptions::getEndpoints, EtcdClientOptions::setEndpoints)
      .string("etcd.tls.caFile", o -> o.security.caFile(),
          (o, v) -> o.security = o.security.withTls(v, o.security.certFile(), o.security.keyFile()))
      .string("etcd.tls.certFile", o -> o.security.certFile(),
          (o, v) -> o.security = o.security.withTls(o.security.caFile(), v, o.security.keyFile()))
      .string("etcd.tls.keyFile", o -> o.security.keyFile(),
          (o, v) -> o.security = o.security.withTls(o.security.caFile(), o.security.certFile(), v))
      .string("etcd.user", o -> o.security.user(),
          (o, v) -> o.security = o.security.withCredentials(v, o.security.password()))
      .secret("etcd.password", o -> o.security.password(),
          (o, v) -> o.security = o.security.withCredentials(o.security.user(), v))
      .longInteger("callTimeoutMillis", EtcdClientOptions::getCallTimeoutMillis,
          EtcdClientOptions::setCallTimeoutMillis));

  private List<String> endpoints = new ArrayList<>();
  private long callTimeoutMillis = DEFAULT_CALL_TIMEOUT_MILLIS;
  private EtcdSecurity security = EtcdSecurity.NONE;

  /** No endpoints, the default timeout, no TLS, no credentials. */
  public EtcdClientOptions() {
  }

  /** A copy of {@code other}; later changes to either do not affect the other. */
  public EtcdClientOptions(EtcdClientOptions other) {
    SCHEMA.copy(other, this);
  }

  /**
   * Reads the keys of the class doc strictly (not validated: see {@link #validate(boolean)}).
   *
   * @throws ConfigException naming the first unknown key or wrongly typed value
   */
  public EtcdClientOptions(JsonObject json) {
    SCHEMA.read(json, this);
  }

  /**
   * The settings as JSON, in the shape {@link #EtcdClientOptions(JsonObject)} reads. It holds the
   * password, if any: it is for handing configuration on, never for logs ({@link #toString()}
   * masks it).
   */
  public JsonObject toJson() {
    return SCHEMA.write(this);
  }

  /**
   * Checks every key: the endpoints' form and scheme (all {@code http://}, or all
   * {@code https://} when TLS files are set), the call timeout, that TLS files are readable and
   * come with their pair, and that user and password come together.
   *
   * @param requireEndpoints also demand at least one endpoint
   * @throws ConfigException naming the first bad key; never holds the password
   */
  public EtcdClientOptions validate(boolean requireEndpoints) {
    for (String e : endpoints) {
      if (e == null || !e.matches("https?://[^/:]+:\\d{1,5}/?")) {
        throw new ConfigException("etcd.endpoints", "not of the form http://host:port: '" + e + "'");
      }
    }
    if (requireEndpoints && endpoints.isEmpty()) {
      throw new ConfigException("etcd.endpoints", "at least one endpoint is required");
    }
    if (endpoints.stream().map(e -> e.startsWith("https://")).distinct().count() > 1) {
      throw new ConfigException("etcd.endpoints", "mixes http:// and https:// endpoints");
    }
    if (callTimeoutMillis < MIN_CALL_TIMEOUT_MILLIS) {
      throw new ConfigException("callTimeoutMillis", "must be >= " + MIN_CALL_TIMEOUT_MILLIS + ", was "
          + callTimeoutMillis);
    }
    try {
      security.validate();
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      int colon = msg.indexOf(": ");
      throw new ConfigException(msg.substring(0, colon), msg.substring(colon + 2));
    }
    if (security.hasTlsFiles() && endpoints.stream().anyMatch(e -> !e.startsWith("https://"))) {
      throw new ConfigException("etcd.endpoints", "etcd.tls files are set: every endpoint must be https://host:port");
    }
    return this;
  }

  /** Client URLs, in rotation order. */
  public List<String> getEndpoints() {
    return List.copyOf(endpoints);
  }

  public EtcdClientOptions setEndpoints(List<String> endpoints) {
    this.endpoints = new ArrayList<>(endpoints);
    return this;
  }

  /** Deadline of every unary etcd call and of opening a stream, in milliseconds. */
  public long getCallTimeoutMillis() {
    return callTimeoutMillis;
  }

  public EtcdClientOptions setCallTimeoutMillis(long callTimeoutMillis) {
    this.callTimeoutMillis = callTimeoutMillis;
    return this;
  }

  /** TLS files and credentials ({@link EtcdSecurity#NONE} by default). */
  public EtcdSecurity getSecurity() {
    return security;
  }

  /** Sets TLS files and credentials; null means {@link EtcdSecurity#NONE}. */
  public EtcdClientOptions setSecurity(EtcdSecurity security) {
    this.security = security == null ? EtcdSecurity.NONE : security;
    return this;
  }

  /**
   * TLS files: {@code caFile} (PEM CA certificates to trust; null = the JVM's trust store),
   * {@code certFile} and {@code keyFile} (client certificate and key; both or neither).
   */
  public EtcdClientOptions setTls(String caFile, String certFile, String keyFile) {
    this.security = security.withTls(caFile, certFile, keyFile);
    return this;
  }

  /** etcd user credentials (both or neither). */
  public EtcdClientOptions setCredentials(String user, String password) {
    this.security = security.withCredentials(user, password);
    return this;
  }

  /** The settings as JSON with the password masked: for logs. */
  @Override
  public String toString() {
    return SCHEMA.redacted(this).encode();
  }
}
