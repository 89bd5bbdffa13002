package io.consensus.launcher;

import io.consensus.admin.AdminClient;
import io.consensus.admin.AdminException;
import io.consensus.admin.DrainResult;
import io.consensus.admin.FleetMembers;
import io.consensus.admin.ItemInfo;
import io.consensus.route.MemberInfo;
import io.consensus.route.Route;
import io.consensus.route.RouteEntry;
import io.consensus.route.RoutingTable;
import io.consensus.verticle.AllocatorOptions;
import io.consensus.verticle.RouteChange;
import io.consensus.config.ConfigException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The operator's commands, run from the jar against etcd directly (no lease, no member):
 * <pre>
 * java -jar etcd-allocator.jar routes  -conf FILE [--json]
 * java -jar etcd-allocator.jar members -conf FILE [--json]
 * java -jar etcd-allocator.jar items list -conf FILE [--json]
 * java -jar etcd-allocator.jar items add NAME [--replicas N] -conf FILE
 * java -jar etcd-allocator.jar items remove NAME -conf FILE
 * java -jar etcd-allocator.jar drain MEMBER -conf FILE [--json]
 * java -jar etcd-allocator.jar undrain MEMBER -conf FILE [--json]
 * java -jar etcd-allocator.jar maintenance on|off -conf FILE [--json]
 * </pre>
 * The config is the members' ({@code etcd.endpoints} and {@code root} required; {@code items}
 * and {@code replicas} are the fleet's), with the same environment and system-property
 * overrides. Exit codes: {@link ExitCode}, shared with the member; nothing is ever half-written
 * (each write is one transaction). {@code <command> --help} prints that command's usage.
 */
final class AdminCli {
  private static final int OK = ExitCode.OK.code();
  private static final int BAD_INPUT = ExitCode.CONFIG.code();

  /** One command: its words, what follows them, and one line on what it does. */
  private record Help(String words, String synopsis, String does) {
  }

  private static final List<Help> HELP = List.of(
      new Help("routes", "[--json]", "the route table of every item, with counts (per-item R)"),
      new Help("members", "[--json]", "members with zone, drained and metadata"),
      new Help("items list", "[--json]", "items with master, entries and marker"),
      new Help("items add", "NAME [--replicas N]", "put the item's marker (value {\"replicas\": N} when given)"),
      new Help("items remove", "NAME", "delete the marker and ROOT/items/NAME/ in one transaction"),
      new Help("drain", "MEMBER [--json]", "put ROOT/drained/MEMBER: it takes nothing, hands off all, stays up"),
      new Help("undrain", "MEMBER [--json]", "delete ROOT/drained/MEMBER"),
      new Help("maintenance", "on|off [--json]", "put / delete ROOT/maintenance: no balancing moves while on"));

  private static final Set<String> COMMANDS = Set.copyOf(commandNames());

  static final String USAGE = "usage: java -jar etcd-allocator.jar <command> -conf <file.json | inline JSON>\n"
      + HELP.stream().map(h -> String.format("  %-38s %s", h.words() + " " + h.synopsis(), h.does()))
          .collect(java.util.stream.Collectors.joining("\n"))
      + "\nexit codes:\n" + ExitCode.table();

  /** Whether {@code word} starts an admin command. */
  static boolean isCommand(String word) {
    return COMMANDS.contains(word);
  }

  /** The commands' first words, in help order. */
  static List<String> commandNames() {
    return HELP.stream().map(h -> h.words().split(" ")[0]).distinct().toList();
  }

  /** The usage of the command {@code args} start with (every form of it), or the global usage. */
  static String usageOf(String[] args) {
    List<String> words = java.util.Arrays.stream(args).filter(a -> !a.startsWith("-")).toList();
    List<Help> matching = HELP.stream().filter(h -> !words.isEmpty() && h.words().split(" ")[0].equals(words.get(0))
        && (words.size() < 2 || !h.words().contains(" ") || h.words().equals(words.get(0) + " " + words.get(1))))
        .toList();
    if (matching.isEmpty()) {
      return USAGE;
    }
    StringBuilder sb = new StringBuilder();
    for (Help h : matching) {
      sb.append("usage: java -jar etcd-allocator.jar ").append(h.words()).append(' ').append(h.synopsis())
          .append(" -conf <file.json | inline JSON>\n  ").append(h.does()).append('\n');
    }
    sb.append("options:\n")
        .append("  -conf X     the members' config (file or inline JSON; etcd.endpoints and root required),\n")
        .append("              with the same ALLOCATOR_* / -Dallocator.* overrides\n");
    if (matching.stream().anyMatch(h -> h.synopsis().contains("--json"))) {
      sb.append("  --json      print JSON instead of a table\n");
    }
    if (matching.stream().anyMatch(h -> h.synopsis().contains("--replicas"))) {
      sb.append("  --replicas N  the item's own R (else the fleet's)\n");
    }
    return sb.append("exit codes:\n").append(ExitCode.table()).toString();
  }

  private final PrintStream out;
  private final PrintStream err;

  AdminCli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  /** Parsed command line. */
  record Command(List<String> words, String conf, Integer replicas, boolean json) {
    static Command parse(String[] args) {
      List<String> words = new ArrayList<>();
      String conf = null;
      Integer replicas = null;
      boolean json = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "-conf", "--conf" -> conf = value(args, ++i, "-conf");
          case "--replicas" -> {
            String v = value(args, ++i, "--replicas");
            if (!v.matches("\\d{1,9}")) {
              throw new IllegalArgumentException("--replicas must be a non-negative integer, was '" + v + "'");
            }
            replicas = Integer.parseInt(v);
          }
          case "--json" -> json = true;
          default -> {
            if (args[i].startsWith("-")) {
              throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
            words.add(args[i]);
          }
        }
      }
      return new Command(words, conf, replicas, json);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }

  /** Runs the command on stdout / stderr, logging only warnings unless {@code LOG_LEVEL} is set. */
  static int runQuietly(String[] args) {
    if (System.getenv("LOG_LEVEL") == null) {
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
          .setLevel(ch.qos.logback.classic.Level.WARN);
    }
    return new AdminCli(System.out, System.err).run(args);
  }

  /** Runs the command; returns the exit code. */
  int run(String[] args) {
    if (java.util.Arrays.stream(args).anyMatch(a -> a.equals("-h") || a.equals("--help") || a.equals("-help"))) {
      out.println(usageOf(args));
      return OK;
    }
    Command cmd;
    try {
      cmd = Command.parse(args);
      checkShape(cmd);
    } catch (IllegalArgumentException e) {
      return fail(BAD_INPUT, e.getMessage() + "\n" + usageOf(args));
    }
    Vertx vertx = Vertx.vertx();
    try {
      AllocatorOptions options;
      try {
        JsonObject json = Main.await(ConfigLoader.load(vertx, cmd.conf()), Duration.ofSeconds(30));
        options = MemberConfig.fromJson(json).allocator();
        if (options.getEndpoints().isEmpty()) {
          throw new ConfigException("etcd.endpoints", "required for admin commands (they talk to the fleet's etcd)");
        }
        options.validate(true);
      } catch (ConfigException e) {
        return fail(BAD_INPUT, e.getMessage());
      }
      return execute(vertx, options, cmd);
    } finally {
      try {
        Main.await(vertx.close(), Duration.ofSeconds(10));
      } catch (RuntimeException e) {
        // exiting anyway
      }
    }
  }

  private static void checkShape(Command cmd) {
    List<String> w = cmd.words();
    if (w.isEmpty() || !COMMANDS.contains(w.get(0))) {
      throw new IllegalArgumentException("unknown command " + (w.isEmpty() ? "(none)" : "'" + w.get(0) + "'"));
    }
    if (w.get(0).equals("drain") || w.get(0).equals("undrain") || w.get(0).equals("maintenance")) {
      if (w.size() != 2) {
        throw new IllegalArgumentException("'" + w.get(0) + "' takes " + (w.get(0).equals("maintenance") ? "on or off"
            : "one MEMBER") + ", got " + w.subList(1, w.size()));
      }
      if (w.get(0).equals("maintenance") && !w.get(1).equals("on") && !w.get(1).equals("off")) {
        throw new IllegalArgumentException("'maintenance' takes on or off, got '" + w.get(1) + "'");
      }
      if (cmd.replicas() != null) {
        throw new IllegalArgumentException("--replicas only goes with 'items add'");
      }
      return;
    }
    String c = String.join(" ", w.subList(0, Math.min(2, w.size())));
    int expected = switch (c) {
      case "routes", "members", "items list" -> w.get(0).equals("items") ? 2 : 1;
      case "items add", "items remove" -> 3;
      default -> throw new IllegalArgumentException("unknown command '" + String.join(" ", w) + "'");
    };
    if (w.size() != expected) {
      throw new IllegalArgumentException("'" + c + "' takes " + (expected == 3 ? "one item NAME" : "no arguments")
          + ", got " + w.subList(Math.min(w.size(), c.split(" ").length), w.size()));
    }
    if (cmd.replicas() != null && !c.equals("items add")) {
      throw new IllegalArgumentException("--replicas only goes with 'items add'");
    }
  }

  private int execute(Vertx vertx, AllocatorOptions options, Command cmd) {
    Context ctx = vertx.getOrCreateContext();
    Function<AdminClient, Future<String>> op = operation(cmd);
    Promise<String> result = Promise.promise();
    ctx.runOnContext(v -> {
      AdminClient client = AdminClient.create(vertx, options.getEtcdClientOptions(), options.getRoot(),
          options.getItems(), options.getReplicas(), options.getItemReplicas());
      op.apply(client).onComplete(ar -> client.close().onComplete(x -> result.handle(ar)));
    });
    try {
      out.print(Main.await(result.future(), Duration.ofMillis(3 * options.getCallTimeoutMillis() + 10_000)));
      out.flush();
      return OK;
    } catch (AdminException e) {
      return fail(e.kind() == AdminException.Kind.BAD_INPUT ? BAD_INPUT : ExitCode.REFUSED.code(), e.getMessage());
    } catch (RuntimeException e) {
      ExitCode etcd = ExitCode.ofEtcdFailure(e);
      if (etcd == null) {
        // No answer within the bound is no proof of a dead etcd either: the same code as a timeout.
        etcd = String.valueOf(e.getMessage()).startsWith("no answer within") ? ExitCode.ETCD_UNREACHABLE
            : ExitCode.FAILED;
      }
      return fail(etcd.code(), (etcd == ExitCode.ETCD_UNREACHABLE ? "cannot reach etcd at " : "etcd at ")
          + options.getEndpoints() + " failed: " + ConfigLoader.oneLine(String.valueOf(e.getMessage())));
    }
  }

  private static Function<AdminClient, Future<String>> operation(Command cmd) {
    List<String> w = cmd.words();
    boolean json = cmd.json();
    switch (w.get(0)) {
      case "drain", "undrain" -> {
        boolean drain = w.get(0).equals("drain");
        return c -> (drain ? c.drain(w.get(1)) : c.undrain(w.get(1)))
            .map(r -> json ? r.toJson().encodePrettily() + "\n" : drainText(r));
      }
      case "maintenance" -> {
        boolean on = w.get(1).equals("on");
        return c -> c.maintenance(on).map(rev -> json
            ? new JsonObject().put("maintenance", on).put("revision", rev).encodePrettily() + "\n"
            : "maintenance mode " + (on ? "on" : "off") + " at revision " + rev
                + (on ? ": members make no balancing moves until 'maintenance off'" : "") + "\n");
      }
      default -> {
        // the commands below
      }
    }
    return switch (w.get(0) + (w.size() > 1 ? " " + w.get(1) : "")) {
      case "routes" -> c -> c.table().map(t -> json
          ? RouteChange.tableJson(t, "admin", t.routes()).put("maintenance", AdminClient.maintenance(t))
              .encodePrettily() + "\n" : routesText(t));
      case "members" -> c -> c.members().map(m -> json ? membersJson(m).encodePrettily() + "\n" : membersText(m));
      case "items list" -> c -> c.items().map(i -> json ? itemsJson(i).encodePrettily() + "\n" : itemsText(i));
      case "items add" -> c -> c.addItem(w.get(2), cmd.replicas())
          .map(rev -> "added item '" + w.get(2) + "' at revision " + rev + "\n");
      case "items remove" -> c -> c.removeItem(w.get(2))
          .map(rev -> "removed item '" + w.get(2) + "' at revision " + rev + "\n");
      default -> throw new IllegalStateException(String.join(" ", w));
    };
  }

  static String drainText(DrainResult r) {
    StringBuilder sb = new StringBuilder(r.drainKey() ? "drained" : "undrained").append(" member '")
        .append(r.member()).append("' at revision ").append(r.revision()).append('\n');
    if (!r.memberPresent()) {
      sb.append("note: member '").append(r.member()).append("' has no member key (not running); ")
          .append(r.drainKey() ? "the drain applies when it starts\n" : "nothing else to do\n");
    } else if (r.drainKey()) {
      sb.append("it hands off what it holds and stays up (health reason 'drained')\n");
    }
    if (!r.drainKey() && r.drainedByConfig()) {
      sb.append("note: member '").append(r.member()).append("' is still drained by its own config (\"drained\": true)\n");
    }
    return sb.toString();
  }

  static String routesText(RoutingTable t) {
    RoutingTable.Counters c = t.counters();
    StringBuilder sb = new StringBuilder();
    if (AdminClient.maintenance(t)) {
      sb.append("maintenance mode on: no balancing moves\n");
    }
    sb.append("revision ").append(t.revision()).append(": ").append(c.items()).append(" items, ")
        .append(c.members()).append(" members, ").append(c.itemsWithoutMaster()).append(" without master, ")
        .append(c.itemsShortOfReplicas()).append(" short of replicas\n");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ITEM", "MASTER", "REPLICAS"});
    for (Route r : t.routes()) {
      List<String> replicas = new ArrayList<>();
      for (int i = 1; i < r.size(); i++) {
        replicas.add(entry(r.entries().get(i)));
      }
      rows.add(new String[] {r.item(), r.isEmpty() ? "-" : entry(r.master()), String.join(" ", replicas)});
    }
    return sb.append(columns(rows)).toString();
  }

  private static String entry(RouteEntry e) {
    return e.member() + "(" + e.state() + ")";
  }

  static String membersText(FleetMembers fleet) {
    StringBuilder sb = new StringBuilder();
    if (fleet.maintenance()) {
      sb.append("maintenance mode on: no balancing moves\n");
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"MEMBER", "ZONE", "DRAINED", "METADATA"});
    for (String name : fleet.presentOrDrained()) {
      MemberInfo m = fleet.members().get(name);
      String zone = m == null || m.zone() == null ? "-" : m.zone();
      rows.add(new String[] {name, zone, fleet.drained(name) ? "yes" : "no",
          m == null ? "(no member key)" : m.metadata().encode()});
    }
    return sb.append(columns(rows)).toString();
  }

  static JsonObject membersJson(FleetMembers fleet) {
    return fleet.toJson();
  }

  static String itemsText(List<ItemInfo> items) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ITEM", "MASTER", "ENTRIES", "SOURCE"});
    for (ItemInfo i : items) {
      String source = i.fixed() ? "fixed" : i.marker() != null ? "marker " + (i.marker().isEmpty() ? "\"\"" : i.marker())
          : "entries only";
      rows.add(new String[] {i.name(), i.route().isEmpty() ? "-" : i.route().master().member(),
          Integer.toString(i.route().size()), source});
    }
    return columns(rows);
  }

  static JsonObject itemsJson(List<ItemInfo> items) {
    JsonArray arr = new JsonArray();
    items.forEach(i -> arr.add(i.toJson()));
    return new JsonObject().put("items", arr);
  }

  private static String columns(List<String[]> rows) {
    int n = rows.get(0).length;
    int[] width = new int[n];
    rows.forEach(r -> {
      for (int i = 0; i < n; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    });
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < n; i++) {
        line.append(i == n - 1 ? r[i] : String.format("%-" + (width[i] + 2) + "s", r[i]));
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }

  private int fail(int code, String message) {
    err.println("etcd-allocator: " + message);
    err.flush();
    return code;
  }
}
