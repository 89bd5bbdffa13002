package io.consensus.config;

/** A bad configuration value: names the key and the problem in one line. */
public final class ConfigException extends IllegalArgumentException {
  private final String key;

  public ConfigException(String key, String problem) {
    super("config key '" + key + "': " + problem);
    this.key = key;
  }

  /** The offending key, dotted for nested ones (e.g. {@code etcd.endpoints}). */
  public String key() {
    return key;
  }
}
