package io.consensus.launcher;

import io.consensus.etcd.EtcdCallException;
import io.consensus.internal.etcdprocess.EtcdBinaryNotFoundException;
import io.consensus.config.ConfigException;
import io.consensus.verticle.MemberExistsException;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar etcd-allocator.jar -conf FILE.json} (or {@code -conf '{...inline JSON}'}):
 * runs one member (or, with a {@code demo} key, the demo; with {@code "role": "spectator"}, a
 * {@link io.consensus.spectator.RoutingTableVerticle}) until SIGTERM / SIGINT. With a command
 * first ({@code routes}, {@code members}, {@code items ...}) it runs that admin command
 * ({@link AdminCli}) and exits.
 *
 * <p>Exit codes: {@link ExitCode}, the table shared with the admin CLI (one line on stderr
 * naming the key or the cause; nothing written to etcd except after a second signal).
 *
 * <p>Not Vert.x's {@code Launcher}: its shutdown hook would race ours and it cannot map
 * failures to exit codes. The first SIGTERM/SIGINT calls {@code System.exit(0)}, whose
 * shutdown hook undeploys everything (graceful cancel, bounded by
 * {@code handoffTimeoutSeconds}), closes Vert.x and stops an embedded etcd; a second signal
 * halts at once.
 */
public final class Main {
  private static final int OK = ExitCode.OK.code();
  private static final int FAILED = ExitCode.FAILED.code();
  private static final int BAD_CONFIG = ExitCode.CONFIG.code();
  private static final int NO_ETCD = ExitCode.ETCD_UNREACHABLE.code();
  private static final int HELP = -1;
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  static final String USAGE = String.join("\n",
      "usage: java -jar etcd-allocator.jar [-conf <file.json | inline JSON>]   run a member (or a spectator,",
      "                                                                       with \"role\": \"spectator\")",
      "       java -jar etcd-allocator.jar <command> ... -conf <...>          an operator's command",
      "       java -jar etcd-allocator.jar --version | --help",
      "commands: " + String.join(", ", AdminCli.commandNames()) + "   (<command> --help for each)",
      "config overrides: ALLOCATOR_<KEY> environment variables, -Dallocator.<key> properties (README \"Configuration\")",
      "exit codes:",
      ExitCode.table());

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile Vertx vertx;
  private volatile EmbeddedEtcd etcd;
  private volatile MemberVerticle member;
  private volatile Future<String> memberDeployed;
  private volatile Duration stopBound = Duration.ofSeconds(60);
  private boolean stopped;

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-version") || args[0].equals("version"))) {
      System.out.println("etcd-allocator " + version());
      System.exit(OK);
    }
    if (args.length > 0 && AdminCli.isCommand(args[0])) {
      System.exit(AdminCli.runQuietly(args)); // an operator's command, not a member
    }
    Main main = new Main();
    Runtime.getRuntime().addShutdownHook(new Thread(main::shutdown, "allocator-shutdown"));
    Signals.onTermOrInt(() -> System.exit(OK), main::killEtcd);
    int code = main.start(args);
    if (code == HELP) {
      System.exit(OK);
    } else if (code != OK) {
      System.exit(code); // the shutdown hook releases what start() acquired
    }
    // Running: Vert.x's threads keep the JVM alive until a signal.
  }

  /** Starts the member or the demo; returns OK when running, else the exit code. */
  private int start(String[] args) {
    Args parsed;
    try {
      parsed = Args.parse(args);
    } catch (IllegalArgumentException e) {
      return fail(BAD_CONFIG, e.getMessage() + "; see --help");
    }
    if (parsed.help()) {
      System.out.println(USAGE);
      return HELP;
    }
    String conf = parsed.conf();
    // No Vert.x event-bus metrics: every route change of every item is a bus message, and their
    // per-address counters cost 6 % of a member's CPU converging at 100,000 items (JFR, session 5);
    // the allocator's own metrics say what a member did.
    vertx = Vertx.vertx(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setJvmMetricsEnabled(true).setMicrometerRegistry(registry).addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)));
    MemberConfig config;
    try {
      JsonObject json = await(ConfigLoader.load(vertx, conf), Duration.ofSeconds(30));
      config = MemberConfig.fromJson(json);
      stopBound = Duration.ofSeconds(config.allocator().getHandoffTimeoutSeconds())
          .plusMillis(3 * config.allocator().getCallTimeoutMillis()).plusSeconds(5);
    } catch (ConfigException e) {
      return fail(BAD_CONFIG, e.getMessage());
    }
    if (config.embedEtcd() && config.role().equals(MemberConfig.ROLE_SPECTATOR)) {
      return fail(BAD_CONFIG, "config key 'etcd.endpoints': required for role spectator (it follows a fleet's etcd)");
    }
    if (config.embedEtcd()) {
      try {
        etcd = EmbeddedEtcd.start();
      } catch (EtcdBinaryNotFoundException e) {
        return fail(NO_ETCD, "no etcd.endpoints configured and no etcd to embed: " + e.getMessage());
      } catch (RuntimeException e) {
        return fail(NO_ETCD, "no etcd.endpoints configured and the embedded etcd failed to start: "
            + ConfigLoader.oneLine(e.getMessage()));
      }
      config.allocator().setEndpoints(etcd.endpoints());
    }
    try {
      config.allocator().validate(true);
      if (config.role().equals(MemberConfig.ROLE_SPECTATOR)) {
        SpectatorVerticle.options(config.allocator()).validate();
        await(vertx.deployVerticle(new SpectatorVerticle(config, registry)), Duration.ofMinutes(5));
      } else if (config.demoMembers() > 0) {
        await(DemoMain.deploy(vertx, config), Duration.ofMinutes(5));
      } else {
        member = new MemberVerticle(config, registry);
        memberDeployed = vertx.deployVerticle(member);
        await(memberDeployed, Duration.ofMinutes(5));
      }
      return OK;
    } catch (RuntimeException e) {
      return startFailure(e, config);
    }
  }

  /** Command line: {@code -conf X} (file or inline JSON; absent = only overrides), {@code -h}. */
  record Args(String conf, boolean help) {
    static Args parse(String[] args) {
      String conf = null;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "-conf", "--conf" -> {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException("-conf needs a file or inline JSON");
            }
            conf = args[++i];
          }
          case "-h", "-help", "--help" -> {
            return new Args(null, true);
          }
          default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
        }
      }
      return new Args(conf, false);
    }
  }

  /** The version in the jar's manifest ({@code Implementation-Version}), or "unknown" outside the jar. */
  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "unknown (not run from the jar)" : v;
  }

  private int startFailure(Throwable e, MemberConfig config) {
    int refused = ExitCode.ETCD_REFUSED.code();
    int unreachable = ExitCode.ETCD_UNREACHABLE.code();
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ConfigException ce) {
        return fail(BAD_CONFIG, ce.getMessage());
      }
      if (c instanceof MemberExistsException me) {
        return fail(ExitCode.MEMBER_EXISTS.code(), "config key 'member': member '" + config.allocator().getMember()
            + "' is already running (" + me.key() + " exists); set waitForMemberSeconds to wait for it");
      }
      if (c instanceof io.consensus.etcd.EtcdAuthenticationException ae) {
        return fail(refused, "config key 'etcd.password': " + ConfigLoader.oneLine(ae.getMessage()));
      }
      if (c instanceof EtcdCallException ec && String.valueOf(ec.getMessage()).contains("user name is empty")) {
        return fail(refused, "config key 'etcd.user': etcd at " + config.allocator().getEndpoints()
            + " requires authentication; set etcd.user and etcd.password");
      }
      if (c instanceof javax.net.ssl.SSLException ssl) {
        return fail(refused, "config key 'etcd.tls.caFile': TLS with etcd at " + config.allocator().getEndpoints()
            + " failed: " + ConfigLoader.oneLine(String.valueOf(ssl.getMessage())));
      }
      if (c instanceof EtcdCallException ec && ec.status() == io.vertx.grpc.common.GrpcStatus.DEADLINE_EXCEEDED) {
        // A timeout is not proof that etcd is down: a starved machine looks the same.
        return fail(unreachable, "config key 'etcd.endpoints': etcd at " + config.allocator().getEndpoints()
            + " did not answer in time (callTimeoutMillis " + config.allocator().getCallTimeoutMillis()
            + ", retried for " + 3 * config.allocator().getCallTimeoutMillis() / 1000
            + " s); etcd may be unreachable or this machine overloaded: " + ConfigLoader.oneLine(c.getMessage()));
      }
      if (c instanceof EtcdCallException ec && !ec.isTransportFailure()) {
        // etcd answered, with an error: reachable, so not a bad endpoint.
        return fail(refused, "etcd at " + config.allocator().getEndpoints() + " refused the start: "
            + ConfigLoader.oneLine(c.getMessage()));
      }
      if (c instanceof EtcdCallException || c instanceof java.net.ConnectException) {
        return fail(unreachable, "config key 'etcd.endpoints': cannot reach etcd at "
            + config.allocator().getEndpoints() + ": " + ConfigLoader.oneLine(c.getMessage()));
      }
    }
    LOG.error("start failed", e);
    return fail(FAILED, "start failed: " + ConfigLoader.oneLine(String.valueOf(e.getMessage())));
  }

  private static int fail(int code, String line) {
    System.err.println("etcd-allocator: " + line);
    System.err.flush();
    return code;
  }

  /** Graceful stop of whatever runs: hand-off, Vert.x, embedded etcd. Runs in the shutdown hook. */
  private void shutdown() {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    Vertx v = vertx;
    boolean running = v != null && !v.deploymentIDs().isEmpty();
    MemberVerticle m = member;
    if (m != null) {
      try {
        // Stopped while still starting (e.g. waiting for an old member key): Vert.x would not
        // stop the allocator, so its lease and keys would outlive the process by a TTL.
        await(m.abortStart(), stopBound);
        // Vert.x's close undeploys only deployments whose start has completed: a member still
        // binding its HTTP port would lose its allocator (a running child) without a hand-off.
        Future<String> deployed = memberDeployed;
        if (deployed != null) {
          await(deployed.transform(x -> Future.succeededFuture()), stopBound);
        }
      } catch (RuntimeException e) {
        LOG.warn("stopping: {}", e.toString());
      }
    }
    if (v != null) {
      if (running) {
        LOG.info("stopping: cancelling with hand-off (bounded by {} s)", stopBound.toSeconds());
      }
      try {
        // Closing undeploys every verticle: each allocator cancels and hands off first.
        await(v.close(), stopBound);
      } catch (RuntimeException e) {
        LOG.warn("stopping: {}", e.toString());
      }
    }
    EmbeddedEtcd e = etcd;
    if (e != null) {
      e.close();
    }
    if (running) {
      LOG.info("stopped");
    }
  }

  /** Second signal: no hand-off, but no orphaned etcd either (it runs in its own session). */
  private void killEtcd() {
    EmbeddedEtcd e = etcd;
    if (e != null) {
      e.kill();
    }
  }

  static <T> T await(Future<T> f, Duration timeout) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within " + timeout.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
