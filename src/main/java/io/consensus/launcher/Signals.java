package io.consensus.launcher;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM / SIGINT handling: the first one runs {@code onFirst} on a thread of its own; any
 * further one runs {@code onSecond} and halts the JVM at once with 128 + the signal number
 * (the operator insists).
 *
 * <p>Uses {@code sun.misc.Signal} (module {@code jdk.unsupported}): a plain shutdown hook
 * cannot see a second signal, and the JVM's default handlers would exit with 143 / 130
 * instead of 0 after a graceful stop.
 */
final class Signals {
  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);
  private static final AtomicInteger RECEIVED = new AtomicInteger();

  private Signals() {
  }

  /**
   * @param onFirst  the graceful stop (may block)
   * @param onSecond quick last words before the halt (must not block)
   */
  static void onTermOrInt(Runnable onFirst, Runnable onSecond) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), sig -> {
        if (RECEIVED.incrementAndGet() == 1) {
          LOG.info("SIG{} received: stopping gracefully (send it again to stop at once)", sig.getName());
          // Not on the signal's thread: onFirst may block in System.exit until the hooks ran.
          new Thread(onFirst, "allocator-signal").start();
        } else {
          System.err.println("etcd-allocator: SIG" + sig.getName() + " again: stopping at once, without hand-off");
          onSecond.run();
          Runtime.getRuntime().halt(ExitCode.INTERRUPTED.code() + sig.getNumber());
        }
      });
    }
  }
}
