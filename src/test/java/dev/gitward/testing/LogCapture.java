package dev.gitward.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event that reaches the root logger, with the root and Gitward's own loggers
 * lowered to DEBUG while the capture lasts, so that third-party debug output is searched too.
 */
public final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger gitward = (Logger) LoggerFactory.getLogger("dev.gitward");
  private final Level previous;
  private final Level previousRoot;

  private LogCapture() {
    previous = gitward.getLevel();
    previousRoot = root.getLevel();
    root.setLevel(Level.DEBUG);
    appender.start();
    root.addAppender(appender);
    gitward.setLevel(Level.DEBUG);
  }

  public static LogCapture start() {
    return new LogCapture();
  }

  /** Returns each captured event as its level, logger, message and stack trace. */
  public List<String> lines() {
    synchronized (appender) {
      return appender.list.stream().map(LogCapture::render).toList();
    }
  }

  /** Returns the captured events at {@code level}, as {@link #lines} renders them. */
  public List<String> lines(Level level) {
    synchronized (appender) {
      return appender.list.stream()
          .filter(event -> event.getLevel().equals(level))
          .map(LogCapture::render)
          .toList();
    }
  }

  /** Returns the names of the threads that logged a message containing {@code fragment}. */
  public List<String> threadsLogging(String fragment) {
    synchronized (appender) {
      return appender.list.stream()
          .filter(event -> event.getFormattedMessage().contains(fragment))
          .map(ILoggingEvent::getThreadName)
          .toList();
    }
  }

  private static String render(ILoggingEvent event) {
    String line =
        event.getLevel() + " " + event.getLoggerName() + " " + event.getFormattedMessage();
    return event.getThrowableProxy() == null
        ? line
        : line + "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    gitward.setLevel(previous);
    root.setLevel(previousRoot);
    appender.stop();
  }
}
