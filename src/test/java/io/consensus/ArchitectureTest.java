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
  /** The test kit, a separate artifact built from its own source root. */
  private static final Path TESTKIT = Path.of("src/testkit/java/io/consensus");

  /** Package -> the io.consensus packages its code may refer to. */
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      // The public API: what users compile against.
      Map.entry("tree", Set.of()),
      Map.entry("route", Set.of("tree", "internal.route")),
      Map.entry("config", Set.of()),
      Map.entry("etcd", Set.of("config", "internal.config")),
      Map.entry("ring", Set.of()),
      Map.entry("verticle", Set.of("config", "etcd", "tree", "route", "internal.allocation", "internal.config",
          "internal.etcd", "internal.lease", "internal.member", "internal.route", "internal.watch")),
      Map.entry("spectator", Set.of("config", "etcd", "tree", "route", "verticle", "internal.config",
          "internal.etcd", "internal.member", "internal.route", "internal.watch")),
      Map.entry("admin", Set.of("etcd", "tree", "route", "spectator", "internal.etcd", "internal.member", "internal.route",
          "internal.watch")),
      Map.entry("testing", Set.of("internal.etcd", "internal.etcdprocess")),
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
      Map.entry("internal.member", Set.of("etcd", "ring", "route", "tree", "verticle", "internal.allocation",
          "internal.etcd", "internal.lease", "internal.route")),
      Map.entry("internal.etcdprocess", Set.of()));

  /**
   * An API package and the internal package that implements it form one unit for the cycle
   * check: the implementation reads the API's types (options, handler), the API's verticle
   * drives the implementation.
   */
  private static final Map<String, String> IMPLEMENTS = Map.of("internal.member", "verticle", "internal.route", "route");

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
      Path info = sources(pkg).stream().filter(f -> f.endsWith("package-info.java")).findFirst()
          .orElse(MAIN.resolve(pkg.replace('.', '/')).resolve("package-info.java"));
      assertThat(info).as(pkg).exists();
      String doc = Files.readString(info);
      assertThat(doc).as(info.toString()).contains("May import:");
      for (String allowed : ALLOWED.get(pkg)) {
        assertThat(doc).as(info + " names " + allowed).contains(allowed);
      }
    }
  }

  /** The packages users compile against: no public signature in them may name an internal type. */
  static final List<String> API = List.of("verticle", "route", "spectator", "admin", "tree", "ring", "etcd", "config",
      "testing", "launcher");

  @Test
  void noPublicSignatureOfTheApiExposesAnInternalType() {
    List<String> leaks = new ArrayList<>();
    for (String pkg : API) {
      for (Path f : sources(pkg)) {
        String name = f.getFileName().toString().replace(".java", "");
        if (name.equals("package-info")) {
          continue;
        }
        leaks.addAll(internalTypesIn(load("io.consensus." + pkg + "." + name)));
      }
    }
    assertThat(leaks).as("public signatures naming io.consensus.internal types").isEmpty();
  }

  @Test
  void theLeakCheckSeesParametersReturnsGenericsAndSupertypes() {
    assertThat(internalTypesIn(Leaky.class)).hasSize(4);
    assertThat(internalTypesIn(Sealed.class)).isEmpty();
  }

  /** Fixtures of the leak check: every public way to name a type, and hidden ones. */
  @SuppressWarnings("unused")
  public static class Leaky extends java.util.ArrayList<io.consensus.internal.etcd.EtcdConnection> {
    public Leaky(io.consensus.internal.etcd.EtcdKeys keys) {
    }

    public java.util.List<io.consensus.internal.etcd.EtcdEndpoint> a() {
      return null;
    }

    protected io.consensus.internal.etcd.Backoff b;
  }

  /** Internal types only in non-public members. */
  @SuppressWarnings("unused")
  public static class Sealed {
    Sealed(io.consensus.internal.etcd.EtcdKeys keys) {
    }

    private io.consensus.internal.etcd.Backoff b;

    io.consensus.internal.etcd.EtcdEndpoint a() {
      return null;
    }
  }

  /** "Type.member: internal type" for every public or protected signature of public {@code type} naming one. */
  static List<String> internalTypesIn(Class<?> type) {
    List<String> out = new ArrayList<>();
    if (!java.lang.reflect.Modifier.isPublic(type.getModifiers())) {
      return out;
    }
    String at = type.getName();
    check(out, at + " extends", type.getGenericSuperclass());
    for (java.lang.reflect.Type t : type.getGenericInterfaces()) {
      check(out, at + " implements", t);
    }
    for (java.lang.reflect.Constructor<?> c : type.getDeclaredConstructors()) {
      if (exposed(c.getModifiers())) {
        for (java.lang.reflect.Type t : c.getGenericParameterTypes()) {
          check(out, at + ".<init>", t);
        }
        for (java.lang.reflect.Type t : c.getGenericExceptionTypes()) {
          check(out, at + ".<init> throws", t);
        }
      }
    }
    for (java.lang.reflect.Method m : type.getDeclaredMethods()) {
      if (exposed(m.getModifiers()) && !m.isSynthetic()) {
        check(out, at + "." + m.getName() + " returns", m.getGenericReturnType());
        for (java.lang.reflect.Type t : m.getGenericParameterTypes()) {
          check(out, at + "." + m.getName(), t);
        }
        for (java.lang.reflect.Type t : m.getGenericExceptionTypes()) {
          check(out, at + "." + m.getName() + " throws", t);
        }
      }
    }
    for (java.lang.reflect.Field f : type.getDeclaredFields()) {
      if (exposed(f.getModifiers()) && !f.isSynthetic()) {
        check(out, at + "." + f.getName(), f.getGenericType());
      }
    }
    for (Class<?> nested : type.getDeclaredClasses()) {
      out.addAll(internalTypesIn(nested));
    }
    return out;
  }

  private static boolean exposed(int modifiers) {
    return java.lang.reflect.Modifier.isPublic(modifiers) || java.lang.reflect.Modifier.isProtected(modifiers);
  }

  private static void check(List<String> out, String where, java.lang.reflect.Type t) {
    if (t instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      if (c.getName().startsWith("io.consensus.internal.")) {
        out.add(where + ": " + c.getName());
      }
    } else if (t instanceof java.lang.reflect.ParameterizedType p) {
      check(out, where, p.getRawType());
      for (java.lang.reflect.Type a : p.getActualTypeArguments()) {
        check(out, where, a);
      }
    } else if (t instanceof java.lang.reflect.GenericArrayType g) {
      check(out, where, g.getGenericComponentType());
    } else if (t instanceof java.lang.reflect.WildcardType w) {
      for (java.lang.reflect.Type b : w.getUpperBounds()) {
        check(out, where, b);
      }
      for (java.lang.reflect.Type b : w.getLowerBounds()) {
        check(out, where, b);
      }
    } else if (t instanceof java.lang.reflect.TypeVariable<?> v) {
      for (java.lang.reflect.Type b : v.getBounds()) {
        check(out, where, b);
      }
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, ArchitectureTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError("compiled class of " + name, e);
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
    Set<String> out = new TreeSet<>();
    for (Path root : List.of(MAIN, TESTKIT)) {
      try (Stream<Path> dirs = Files.walk(root)) {
        dirs.filter(d -> !d.equals(root) && Files.isDirectory(d))
            .map(d -> root.relativize(d).toString().replace('/', '.'))
            .filter(p -> !sources(p).isEmpty())
            .forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return List.copyOf(out);
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

  /** The production sources of {@code pkg}: the library's, or the test kit's for {@code testing}. */
  private static List<Path> sources(String pkg) {
    List<Path> out = new ArrayList<>();
    for (Path root : List.of(MAIN, TESTKIT)) {
      Path dir = root.resolve(pkg.replace('.', '/'));
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }
}
