package io.consensus.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where one member process's event-loop lag came from: its JVM's GC log ({@code -Xlog:gc,gc+cpu,
 * safepoint} with the {@code time} decorator) gives the pauses and every stop at a safepoint;
 * its own log gives each lag of 100 ms or more ({@code LoopLagMeter}) and each piece of our own
 * work of 50 ms or more ({@code LoopWorkMeter}, wall and CPU time), with the time they ended. Each
 * lag peak of L ms ending at t is split: the JVM's share is what safepoint stops cover of
 * [t - L, t]; ours the CPU time our slow pieces used within it (their CPU spread over their wall
 * time); the rest is "other": the loop's thread runnable but waiting for a core (other
 * processes, JIT compiler threads), and our pieces under 50 ms. A decision run inside a slice is
 * logged as both; our share is capped at what the JVM's stops leave of the lag.
 *
 * @param gcPauses GC pauses ({@code [gc] ... Pause ...}, the harness's own diagnostic full GCs left out)
 * @param gcMaxMs the longest GC pause
 * @param gcMaxCpuMs user + sys CPU of that pause ({@code gc+cpu}), -1 unknown: far below the pause
 *     when its GC threads waited for a core
 * @param gcTotalMs all GC pauses together
 * @param stopMaxMs the longest stop at a safepoint (GC pauses included; also ZGC's pauses)
 * @param stopMaxName the VM operation of that stop
 * @param stopTotalMs all stops together
 * @param allocatorPeaks allocator loop lags >= 100 ms: {count, ms in all, JVM stops ms, our CPU ms}
 * @param keeperPeaks keeper loop lags >= 100 ms: {count, ms in all, JVM stops ms, our CPU ms}
 */
record LagSources(int gcPauses, double gcMaxMs, double gcMaxCpuMs, double gcTotalMs, double stopMaxMs,
                  String stopMaxName, double stopTotalMs, double[] allocatorPeaks, double[] keeperPeaks) {
  private static final Pattern GC_PAUSE = Pattern.compile("\\]\\[gc\\s*\\] GC\\((\\d+)\\) (Pause .*) ([0-9.]+)ms$");
  private static final Pattern GC_CPU = Pattern.compile("\\]\\[gc,cpu\\s*\\] GC\\((\\d+)\\) User=([0-9.]+)s Sys=([0-9.]+)s");
  private static final Pattern SAFEPOINT = Pattern.compile(
      "\\]\\[safepoint\\s*\\] Safepoint \"([^\"]+)\".* Total: (\\d+) ns");
  private static final Pattern LAG = Pattern.compile(
      "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*(allocator|keeper) event loop: a timer ran (\\d+) ms late");
  private static final Pattern WORK = Pattern.compile(
      "^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*held the event loop for (\\d+) ms \\((\\d+) ms of CPU\\)");
  private static final DateTimeFormatter GC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  /** [start, end] in epoch milliseconds; {@code weight}: the share of it that counts (CPU / wall). */
  private record Span(double start, double end, double weight) {
    Span(double start, double end) {
      this(start, end, 1);
    }

    double overlap(double from, double to) {
      return weight * Math.max(0, Math.min(end, to) - Math.max(start, from));
    }
  }

  /**
   * @param gcLogs the member's GC logs (one per JVM it ran)
   * @param memberLogs its own logs (stdout, one per incarnation)
   * @param untilEpochMs only what happened before this counts (the harness's later full GCs do not)
   */
  static LagSources read(List<Path> gcLogs, List<Path> memberLogs, long untilEpochMs) {
    List<Span> stops = new ArrayList<>();
    double[] gc = {0, 0, -1, 0}; // count, max, cpu of max, total
    String[] maxGcId = {null};
    double[] stop = {0, 0};
    String[] stopName = {"-"};
    java.util.Map<String, Double> cpuById = new java.util.HashMap<>();
    for (Path p : gcLogs) {
      for (String line : lines(p)) {
        if (line.length() < 30 || line.charAt(0) != '[') {
          continue;
        }
        double t;
        try {
          t = OffsetDateTime.parse(line.substring(1, 29), GC_TIME).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
          continue;
        }
        if (t > untilEpochMs) {
          continue;
        }
        Matcher m = GC_PAUSE.matcher(line);
        if (m.find() && !m.group(2).contains("Diagnostic Command")) {
          double ms = Double.parseDouble(m.group(3));
          gc[0]++;
          gc[3] += ms;
          if (ms > gc[1]) {
            gc[1] = ms;
            maxGcId[0] = p + "#" + m.group(1);
          }
        }
        Matcher c = GC_CPU.matcher(line);
        if (c.find()) {
          cpuById.put(p + "#" + c.group(1), (Double.parseDouble(c.group(2)) + Double.parseDouble(c.group(3))) * 1000);
        }
        Matcher s = SAFEPOINT.matcher(line);
        if (s.find()) {
          double ms = Long.parseLong(s.group(2)) / 1e6;
          stops.add(new Span(t - ms, t));
          stop[1] += ms;
          if (ms > stop[0]) {
            stop[0] = ms;
            stopName[0] = s.group(1);
          }
        }
      }
    }
    if (maxGcId[0] != null) {
      gc[2] = cpuById.getOrDefault(maxGcId[0], -1.0);
    }
    List<Span> work = new ArrayList<>();
    List<Object[]> peaks = new ArrayList<>(); // loop, span
    LocalDate today = LocalDate.now(ZoneId.systemDefault());
    for (Path p : memberLogs) {
      for (String line : lines(p)) {
        Matcher l = LAG.matcher(line);
        if (l.find()) {
          double end = epochMs(today, l.group(1));
          if (end <= untilEpochMs) {
            peaks.add(new Object[] {l.group(2), new Span(end - Long.parseLong(l.group(3)), end)});
          }
          continue;
        }
        Matcher w = WORK.matcher(line);
        if (w.find()) {
          double end = epochMs(today, w.group(1));
          double wall = Math.max(1, Long.parseLong(w.group(2)));
          work.add(new Span(end - wall, end, Math.min(1, Long.parseLong(w.group(3)) / wall)));
        }
      }
    }
    double[] allocator = new double[4];
    double[] keeper = new double[4];
    for (Object[] peak : peaks) {
      Span lag = (Span) peak[1];
      double length = lag.end() - lag.start();
      double stopped = stops.stream().mapToDouble(s -> s.overlap(lag.start(), lag.end())).sum();
      double ours = work.stream().mapToDouble(s -> s.overlap(lag.start(), lag.end())).sum();
      double[] into = "keeper".equals(peak[0]) ? keeper : allocator;
      into[0]++;
      into[1] += length;
      into[2] += Math.min(length, stopped);
      into[3] += Math.min(length - Math.min(length, stopped), ours);
    }
    return new LagSources((int) gc[0], gc[1], gc[2], gc[3], stop[0], stopName[0], stop[1], allocator, keeper);
  }

  private static double epochMs(LocalDate day, String hhmmss) {
    return LocalTime.parse(hhmmss).atDate(day).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
  }

  private static List<String> lines(Path p) {
    try (Stream<String> s = Files.lines(p, StandardCharsets.ISO_8859_1)) {
      return s.toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  /** {count, ms, stops, ours} as "n, ms: s % JVM stops / o % our CPU / x % other". */
  static String peaks(double[] p) {
    if (p[0] == 0) {
      return "0";
    }
    return String.format(Locale.ROOT, "%.0f, %,.0f ms: %.0f %% JVM stops / %.0f %% our CPU / %.0f %% other", p[0], p[1],
        100 * p[2] / p[1], 100 * p[3] / p[1], 100 * (p[1] - p[2] - p[3]) / p[1]);
  }
}
