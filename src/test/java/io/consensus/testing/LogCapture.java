package io.consensus.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Test helper: captures what some loggers log, thread-safely (logback's ListAppender uses a
 * plain ArrayList), until {@link #detach()}.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> {
  /** Every event captured, oldest first. */
  public final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
  private final List<String> loggers;

  private LogCapture(List<String> loggers) {
    this.loggers = loggers;
  }

  /** Starts capturing what the named loggers log. */
  public static LogCapture attach(String... loggers) {
    LogCapture c = new LogCapture(List.of(loggers));
    c.start();
    for (String name : loggers) {
      ((Logger) LoggerFactory.getLogger(name)).addAppender(c);
    }
    return c;
  }

  /** Starts capturing what the loggers of these classes log. */
  public static LogCapture attach(Class<?>... classes) {
    String[] names = new String[classes.length];
    for (int i = 0; i < classes.length; i++) {
      names[i] = classes[i].getName();
    }
    return attach(names);
  }

  /** Stops capturing; what was captured stays. */
  public void detach() {
    for (String name : loggers) {
      ((Logger) LoggerFactory.getLogger(name)).detachAppender(this);
    }
  }

  /** Whether a captured message contains {@code fragment}. */
  public boolean saw(String fragment) {
    return events.stream().anyMatch(e -> e.getFormattedMessage().contains(fragment));
  }

  @Override
  protected void append(ILoggingEvent event) {
    events.add(event);
  }

  @Override
  public String toString() {
    return events.stream().map(ILoggingEvent::getFormattedMessage).toList().toString();
  }
}
