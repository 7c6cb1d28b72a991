package dev.gitward.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event of the process at DEBUG and above, with its formatted message and stack
 * trace, so a test can search them for secrets.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger gitward = (Logger) LoggerFactory.getLogger("dev.gitward");
  private final Level previousRootLevel = root.getLevel();
  private final Level previousGitwardLevel = gitward.getLevel();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture() {
    appender.start();
    root.addAppender(appender);
    root.setLevel(Level.DEBUG);
    gitward.setLevel(Level.DEBUG);
  }

  /** Returns every captured line: the formatted message, then any stack trace. */
  public List<String> lines() {
    synchronized (appender.list) {
      return appender.list.stream()
          .map(
              event ->
                  event.getFormattedMessage()
                      + (event.getThrowableProxy() == null
                          ? ""
                          : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy())))
          .toList();
    }
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    root.setLevel(previousRootLevel);
    gitward.setLevel(previousGitwardLevel);
  }
}
