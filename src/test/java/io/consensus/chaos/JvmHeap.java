package io.consensus.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Another JVM's live heap (jcmd GC.run, then jstat -gc) and resident set size. */
final class JvmHeap {
  private JvmHeap() {
  }

  /** Used heap in MB right after a full GC (S0U + S1U + EU + OU of {@code jstat -gc}); NaN on failure. */
  static double liveMb(long pid) {
    if (pid <= 0) {
      return Double.NaN;
    }
    run(tool("jcmd"), Long.toString(pid), "GC.run");
    String out = run(tool("jstat"), "-gc", Long.toString(pid));
    if (out == null) {
      return Double.NaN;
    }
    String[] lines = out.trim().split("\n");
    if (lines.length < 2) {
      return Double.NaN;
    }
    List<String> head = List.of(lines[0].trim().split("\\s+"));
    String[] row = lines[1].trim().split("\\s+");
    double kb = 0;
    for (String col : List.of("S0U", "S1U", "EU", "OU")) {
      int i = head.indexOf(col);
      if (i < 0 || i >= row.length) {
        return Double.NaN;
      }
      kb += row[i].equals("-") ? 0 : Double.parseDouble(row[i]); // "-": a space ZGC has not
    }
    return kb / 1024;
  }

  /** Resident set size in MB from /proc; NaN when unknown. */
  static double rssMb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  static String tool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }

  /** Runs a JDK tool with a 60 s cap; its output, or null. */
  static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? new String(out) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
