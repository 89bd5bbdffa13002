package io.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package structure, read from the production sources: which {@code io.consensus} package
 * may use which. The allowed edges are the architecture the README and each
 * {@code package-info.java} describe; a new edge has to be added here on purpose.
 */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/io/consensus");

  /** Package -> the io.consensus packages its code may refer to. */
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      // The public API: what users compile against.
      Map.entry("tree", Set.of()),
      Map.entry("route", Set.of("tree")),
      Map.entry("config", Set.of()),
      Map.entry("etcd", Set.of()),
      Map.entry("ring", Set.of()),
      Map.entry("verticle", Set.of("config", "etcd", "tree", "route", "internal.allocation", "internal.config",
          "internal.etcd", "internal.lease", "internal.member", "internal.route", "internal.watch")),
      Map.entry("spectator", Set.of("config", "tree", "route", "verticle", "internal.allocation", "internal.config",
          "internal.etcd", "internal.member", "internal.route", "internal.watch")),
      Map.entry("admin", Set.of("tree", "route", "spectator", "internal.etcd", "internal.member", "internal.route",
          "internal.watch")),
      Map.entry("testing", Set.of("internal.etcdprocess")),
      // The runnable member, spectator and operator's tool.
      Map.entry("launcher", Set.of("config", "etcd", "route", "verticle", "spectator", "admin", "internal.config",
          "internal.etcd", "internal.etcdprocess", "internal.route")),
      // The implementation.
      Map.entry("internal.route", Set.of("tree", "route")),
      Map.entry("internal.allocation", Set.of("tree", "route", "internal.route")),
      Map.entry("internal.config", Set.of("config")),
      Map.entry("internal.etcd", Set.of("etcd", "tree")),
      Map.entry("internal.watch", Set.of("config", "tree", "internal.config", "internal.etcd")),
      Map.entry("internal.lease", Set.of("config", "etcd", "internal.config", "internal.etcd")),
      Map.entry("internal.member", Set.of("etcd", "ring", "route", "verticle", "internal.allocation",
          "internal.etcd", "internal.lease", "internal.route")),
      Map.entry("internal.etcdprocess", Set.of("internal.etcd")));

  /**
   * An API package and the internal package that implements it form one unit for the cycle
   * check: the implementation reads the API's types (options, handler), the API's verticle
   * drives the implementation.
   */
  private static final Map<String, String> IMPLEMENTS = Map.of("internal.member", "verticle");

  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.consensus\\.((?:internal\\.)?[a-z]+)\\b");
  private static final Pattern COMMENTS = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

  @Test
  void everyPackageUsesOnlyWhatItIsAllowedTo() {
    Map<String, Set<String>> actual = dependencies();
    assertThat(ALLOWED.keySet()).as("documented packages").containsExactlyInAnyOrderElementsOf(actual.keySet());
    actual.forEach((pkg, uses) ->
        assertThat(uses).as("io.consensus.%s may use only %s", pkg, ALLOWED.get(pkg))
            .isSubsetOf(ALLOWED.get(pkg)));
  }

  @Test
  void allocationIsPureRulesOverTreeAndRoute() {
    assertThat(dependencies().get("internal.allocation")).isSubsetOf(Set.of("tree", "route", "internal.route"));
    for (Path f : sources("internal.allocation")) {
      assertThat(imports(f)).as(f.toString())
          .allMatch(i -> i.startsWith("java.") || i.startsWith("io.consensus.tree.") || i.startsWith("io.consensus.route.")
              || i.startsWith("io.consensus.internal.route."));
    }
  }

  @Test
  void packagesFormNoCycle() {
    Map<String, Set<String>> graph = new TreeMap<>();
    dependencies().forEach((pkg, uses) -> graph.computeIfAbsent(IMPLEMENTS.getOrDefault(pkg, pkg), k -> new TreeSet<>())
        .addAll(uses.stream().map(u -> IMPLEMENTS.getOrDefault(u, u)).toList()));
    graph.forEach((pkg, uses) -> uses.remove(pkg));
    Map<String, Integer> state = new HashMap<>(); // 1 = on the path, 2 = done
    for (String pkg : graph.keySet()) {
      List<String> path = new ArrayList<>();
      assertThat(findCycle(pkg, graph, state, path)).as("cycle %s", path).isFalse();
    }
  }

  @Test
  void productionCodeNeedsNoJUnitAndNoTestSupport() {
    for (String pkg : dependencies().keySet()) {
      if (pkg.equals("testing")) {
        continue;
      }
      for (Path f : sources(pkg)) {
        assertThat(imports(f)).as(f.toString())
            .noneMatch(i -> i.startsWith("org.junit") || i.startsWith("io.consensus.testing."));
      }
    }
  }

  @Test
  void everyPackageSaysWhatItIsForAndWhatItMayImport() throws IOException {
    for (String pkg : dependencies().keySet()) {
      Path info = MAIN.resolve(pkg.replace('.', '/')).resolve("package-info.java");
      assertThat(info).as(pkg).exists();
      String doc = Files.readString(info);
      assertThat(doc).as(info.toString()).contains("May import:");
      for (String allowed : ALLOWED.get(pkg)) {
        assertThat(doc).as(info + " names " + allowed).contains(allowed);
      }
    }
  }

  @Test
  void theCheckSeesReferencesAndIgnoresComments() {
    String code = "package io.consensus.route;\n/** {@link io.consensus.internal.watch.RetryWatcher} */\n"
        + "import io.consensus.tree.Node; // io.consensus.lease\nclass X { io.consensus.internal.etcd.EtcdKeys k; }";
    assertThat(references("route", code)).containsExactlyInAnyOrder("tree", "internal.etcd");
    Map<String, Set<String>> cyclic = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"));
    assertThat(findCycle("a", cyclic, new HashMap<>(), new ArrayList<>())).isTrue();
  }

  private static boolean findCycle(String pkg, Map<String, Set<String>> graph, Map<String, Integer> state, List<String> path) {
    Integer s = state.get(pkg);
    if (s != null) {
      if (s == 1) {
        path.add(pkg);
      }
      return s == 1;
    }
    state.put(pkg, 1);
    path.add(pkg);
    for (String next : graph.getOrDefault(pkg, Set.of())) {
      if (findCycle(next, graph, state, path)) {
        return true;
      }
    }
    path.remove(path.size() - 1);
    state.put(pkg, 2);
    return false;
  }

  /** Package names relative to {@code io.consensus}: {@code tree}, {@code internal.member}, ... */
  private static List<String> packages() {
    try (Stream<Path> dirs = Files.walk(MAIN)) {
      return dirs.filter(d -> !d.equals(MAIN) && Files.isDirectory(d))
          .map(d -> MAIN.relativize(d).toString().replace('/', '.'))
          .filter(p -> !sources(p).isEmpty())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Set<String>> dependencies() {
    Map<String, Set<String>> deps = new TreeMap<>();
    try {
      for (String pkg : packages()) {
        Set<String> uses = new TreeSet<>();
        for (Path f : sources(pkg)) {
          uses.addAll(references(pkg, Files.readString(f)));
        }
        deps.put(pkg, uses);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return deps;
  }

  private static Set<String> references(String pkg, String source) {
    Set<String> uses = new HashSet<>();
    Matcher m = REFERENCE.matcher(COMMENTS.matcher(source).replaceAll(""));
    while (m.find()) {
      uses.add(m.group(1));
    }
    uses.remove(pkg);
    return uses;
  }

  private static List<String> imports(Path file) {
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.startsWith("import "))
          .map(l -> l.replaceFirst("^import (static )?", "").replace(";", "").trim())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> sources(String pkg) {
    try (Stream<Path> files = Files.list(MAIN.resolve(pkg.replace('.', '/')))) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
