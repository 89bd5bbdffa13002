package io.consensus.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a member's log says about stalls: lease losses ("...; holding nothing until rejoined"),
 * Vert.x BlockedThreadChecker warnings for event-loop threads (and the longest block they name),
 * and the slowest "slow watch update" line.
 */
record LogFigures(int logs, int lines, int leaseLosses, int blockedWarnings, long maxBlockedMs, long maxSlowUpdateMs) {
  private static final Pattern BLOCKED = Pattern.compile("vert\\.x-eventloop-thread.*has been blocked for (\\d+) ms");
  private static final Pattern SLOW = Pattern.compile("slow watch update at revision \\d+ took (\\d+) ms");
  private static final String LEASE_LOST = "holding nothing until rejoined";

  /** The figures of a member's logs (one per incarnation, oldest first). */
  static LogFigures read(List<Path> logs) {
    return read(logs, null);
  }

  /** The figures of what was written to {@code logs} after {@code before} was read from them (null: all). */
  static LogFigures read(List<Path> logs, LogFigures before) {
    int[] counts = new int[3];
    long[] max = {-1, -1};
    int lastLines = 0;
    for (int i = 0; i < logs.size(); i++) {
      int skip = before == null || i > before.logs() - 1 ? 0 : i < before.logs() - 1 ? Integer.MAX_VALUE
          : before.lines();
      int[] n = {0};
      try (Stream<String> lines = Files.lines(logs.get(i), java.nio.charset.StandardCharsets.ISO_8859_1)) {
        lines.forEach(line -> {
          if (n[0]++ < skip) {
            return;
          }
          if (line.contains(LEASE_LOST)) {
            counts[1]++;
          }
          Matcher b = BLOCKED.matcher(line);
          if (b.find()) {
            counts[2]++;
            max[0] = Math.max(max[0], Long.parseLong(b.group(1)));
          }
          Matcher s = SLOW.matcher(line);
          if (s.find()) {
            max[1] = Math.max(max[1], Long.parseLong(s.group(1)));
          }
        });
      } catch (IOException | java.io.UncheckedIOException e) {
        // not written yet
      }
      lastLines = n[0];
    }
    return new LogFigures(logs.size(), lastLines, counts[1], counts[2], max[0], max[1]);
  }
}
