package io.consensus.launcher;

import io.consensus.config.ConfigException;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the launcher's config with vertx-config: the {@code -conf} value (a file path or
 * inline JSON, as Vert.x's Launcher takes it), then the {@code env} and {@code sys} stores,
 * whose {@code ALLOCATOR_*} / {@code allocator.*} entries override keys (see
 * {@link MemberConfig}).
 */
final class ConfigLoader {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

  private ConfigLoader() {
  }

  /**
   * The merged config JSON; fails with a {@link ConfigException} for unreadable
   * {@code -conf}, a bad {@code allocator.*} property or an override value that does not parse;
   * logs one warning naming the {@code ALLOCATOR_*} variables that are no override.
   */
  static Future<JsonObject> load(Vertx vertx, String conf) {
    ConfigStoreOptions base;
    if (conf == null) {
      base = new ConfigStoreOptions().setType("json").setConfig(new JsonObject());
    } else if (conf.trim().startsWith("{")) {
      try {
        base = new ConfigStoreOptions().setType("json").setConfig(new JsonObject(conf));
      } catch (DecodeException e) {
        return Future.failedFuture(new ConfigException("-conf", "not valid JSON: " + oneLine(e.getMessage())));
      }
    } else if (!java.nio.file.Files.isRegularFile(java.nio.file.Path.of(conf))) {
      return Future.failedFuture(new ConfigException("-conf", "no such file: " + conf));
    } else {
      base = new ConfigStoreOptions().setType("file").setFormat("json").setConfig(new JsonObject().put("path", conf));
    }
    // Separate retrievers: the env and sys stores hold far more than our keys, and only the
    // prefixed entries may reach the strict key check.
    Future<JsonObject> file = retrieve(vertx, base).recover(err -> Future.failedFuture(
        new ConfigException("-conf", "cannot read " + conf + ": " + oneLine(rootMessage(err)))));
    Future<JsonObject> env = retrieve(vertx, new ConfigStoreOptions().setType("env")
        .setConfig(new JsonObject().put("raw-data", true)));
    Future<JsonObject> sys = retrieve(vertx, new ConfigStoreOptions().setType("sys")
        .setConfig(new JsonObject().put("cache", false).put("raw-data", true)));
    return Future.all(file, env, sys).compose(cf -> {
      List<String> ignored = MemberConfig.ignoredEnvironment(env.result().getMap());
      if (!ignored.isEmpty()) {
        LOG.warn("ignoring environment variables {}: not config overrides (an orchestrator's own, or misspelt? "
            + "overrides are {})", ignored, MemberConfig.envOverrides().keySet());
      }
      try {
        return Future.succeededFuture(MemberConfig.applyOverrides(file.result(), env.result().getMap(),
            sys.result().getMap()));
      } catch (ConfigException e) {
        return Future.failedFuture(e);
      }
    }, err -> Future.failedFuture(file.failed() ? file.cause() : err));
  }

  private static Future<JsonObject> retrieve(Vertx vertx, ConfigStoreOptions store) {
    ConfigRetriever r = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false).setScanPeriod(0).addStore(store));
    return r.getConfig().onComplete(x -> r.close());
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
