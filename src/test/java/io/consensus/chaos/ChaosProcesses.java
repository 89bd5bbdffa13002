package io.consensus.chaos;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Signals to processes by pid (only processes this run started). */
final class ChaosProcesses {
  private ChaosProcesses() {
  }

  static void signal(long pid, String sig) {
    if (pid <= 0) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Monotonic time in microseconds, comparable with the members' serving logs. */
  static long monoMicros() {
    return System.nanoTime() / 1000;
  }
}
