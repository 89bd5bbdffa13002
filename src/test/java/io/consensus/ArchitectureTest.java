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
      Map.entry("tree", Set.of()),
      Map.entry("route", Set.of("tree")),
      Map.entry("allocation", Set.of("tree", "route")),
      Map.entry("etcd", Set.of("tree")),
      Map.entry("config", Set.of()),
      Map.entry("watch", Set.of("config", "etcd", "tree")),
      Map.entry("lease", Set.of("config", "etcd")),
      Map.entry("ring", Set.of()),
      Map.entry("verticle", Set.of("config", "tree", "route", "allocation", "etcd", "watch", "lease", "ring")),
      Map.entry("spectator", Set.of("config", "tree", "route", "allocation", "etcd", "watch", "verticle")),
      Map.entry("admin", Set.of("tree", "route", "etcd", "watch", "spectator", "verticle")),
      Map.entry("launcher", Set.of("config", "tree", "route", "etcd", "watch", "lease", "verticle", "etcdprocess",
          "spectator", "admin")),
      Map.entry("etcdprocess", Set.of("etcd")),
      Map.entry("testing", Set.of("etcdprocess")));

  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.consensus\\.([a-z]+)\\b");
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
    assertThat(dependencies().get("allocation")).isSubsetOf(Set.of("tree", "route"));
    for (Path f : sources("allocation")) {
      assertThat(imports(f)).as(f.toString())
          .allMatch(i -> i.startsWith("java.") || i.startsWith("io.consensus.tree.") || i.startsWith("io.consensus.route."));
    }
  }

  @Test
  void packagesFormNoCycle() {
    Map<String, Set<String>> graph = dependencies();
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
      Path info = MAIN.resolve(pkg).resolve("package-info.java");
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
    String code = "package io.consensus.route;\n/** {@link io.consensus.watch.RetryWatcher} */\n"
        + "import io.consensus.tree.Node; // io.consensus.lease\nclass X { io.consensus.etcd.EtcdKeys k; }";
    assertThat(references("route", code)).containsExactlyInAnyOrder("tree", "etcd");
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

  private static Map<String, Set<String>> dependencies() {
    Map<String, Set<String>> deps = new TreeMap<>();
    try (Stream<Path> dirs = Files.list(MAIN)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        String pkg = dir.getFileName().toString();
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
    try (Stream<Path> files = Files.list(MAIN.resolve(pkg))) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
