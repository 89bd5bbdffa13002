package io.consensus.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** CPU time a local process has used so far (user + system), from {@code /proc/PID/stat}. */
final class ProcessCpu {
  private static final long TICKS = clockTicks();

  private ProcessCpu() {
  }

  /** Seconds of CPU, or NaN when the process is gone or unknown. */
  static double seconds(long pid) {
    if (pid <= 0) {
      return Double.NaN;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // after "pid (comm) " come state (field 3) ... utime (14) and stime (15)
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * The machine's CPU seconds so far, summed over its cores, from {@code /proc/stat}: {busy, all}
   * (busy = all but idle and iowait); NaN when unknown.
   */
  static double[] machine() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait ..."
      String[] f = first.trim().split("\\s+");
      long all = 0;
      for (int i = 1; i < f.length; i++) {
        all += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new double[] {(all - idle) / (double) TICKS, all / (double) TICKS};
    } catch (IOException | RuntimeException e) {
      return new double[] {Double.NaN, Double.NaN};
    }
  }

  /**
   * Seconds of CPU by kind of thread, from {@code /proc/PID/task/*}: {event loops, JIT compiler, GC and
   * the VM thread, other live threads, exited threads (the process's total minus its live threads':
   * JDK 17 stops idle compiler threads, and their CPU goes with them)}; NaN when unknown.
   */
  static double[] byThreadKind(long pid) {
    double[] out = new double[5];
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out[kind(comm)] += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS;
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException e) {
      java.util.Arrays.fill(out, Double.NaN);
      return out;
    }
    out[4] = Math.max(0, seconds(pid) - out[0] - out[1] - out[2] - out[3]);
    return out;
  }

  private static int kind(String comm) {
    if (comm.startsWith("vert.x-eventloo")) {
      return 0;
    }
    if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
      return 1;
    }
    if (comm.startsWith("GC ") || comm.startsWith("G1 ") || comm.equals("VM Thread") || comm.startsWith("Shenandoah")
        || comm.matches("Z[A-Z][a-z].*") || comm.startsWith("VM Periodic")) {
      return 2;
    }
    return 3;
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      return Long.parseLong(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
