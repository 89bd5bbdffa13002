package io.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's code snippets are copies of marked regions ({@code [snippet:NAME]} ...
 * {@code [/snippet:NAME]}) of the consumer example, which .ci/run compiles and tests against the
 * installed library: a snippet that drifts from the code fails here.
 */
class ReadmeSnippetsTest {
  private static final Path EXAMPLE = Path.of("examples/consumer");
  private static final Pattern REGION = Pattern.compile(
      "(?m)^[ \\t]*(?://|<!--) \\[snippet:([a-z-]+)\\](?: -->)?\\n(.*?)^[ \\t]*(?://|<!--) \\[/snippet:\\1\\]",
      Pattern.DOTALL);

  @Test
  void everySnippetOfTheExampleIsInTheReadmeVerbatim() throws IOException {
    Map<String, String> snippets = snippets();
    assertThat(snippets.keySet()).contains("maven", "member", "leave", "spectator", "testkit", "programmatic", "ring");
    String readme = Files.readString(Path.of("README.md"));
    snippets.forEach((name, code) -> assertThat(readme).as("README holds snippet '%s'", name).contains(code));
  }

  @Test
  void aRegionIsCutAtItsMarkersAndDedented() {
    String source = "class X {\n  void f() {\n    // [snippet:a]\n    int x = 1;\n      x++;\n    // [/snippet:a]\n  }\n}\n";
    assertThat(regions(source)).containsEntry("a", "int x = 1;\n  x++;\n");
  }

  static Map<String, String> snippets() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(EXAMPLE)) {
      for (Path f : files.filter(p -> !p.toString().contains("/target/"))
          .filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".xml")).sorted().toList()) {
        out.putAll(regions(Files.readString(f)));
      }
    }
    return out;
  }

  static Map<String, String> regions(String source) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = REGION.matcher(source);
    while (m.find()) {
      out.put(m.group(1), dedent(m.group(2)));
    }
    return out;
  }

  private static String dedent(String code) {
    List<String> lines = code.lines().toList();
    int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
        .min().orElse(0);
    StringBuilder b = new StringBuilder();
    for (String l : lines) {
      b.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
    }
    return b.toString();
  }
}
