package dev.berth.cli;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Berth's logging, set up in code: logback's XML configuration costs about a third of a second of
 * start-up (its parser and the classes behind it). One line per event on stderr; access lines go
 * through an asynchronous appender that batches them off the request's critical path and never
 * blocks a request. A {@code -Dlogback.configurationFile} (or a {@code logback-test.xml} on the
 * class path) still takes over. Found by logback through {@code META-INF/services}.
 */
public final class LoggingSetup extends ContextAwareBase implements Configurator {
  private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{20} %msg%n";
  private static final int QUEUE = 8192;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || LoggingSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();

    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("ASYNC");
    async.setQueueSize(QUEUE);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(stderr);
    async.start();

    for (String quiet : new String[] {"org.eclipse.jetty", "org.flywaydb", "com.zaxxer.hikari"}) {
      context.getLogger(quiet).setLevel(Level.WARN);
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(async);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * For commands other than serve, which print their own results: the log says only what went
   * wrong, unless {@code log.level} asks for debug. (A standalone gc printed its summary twice:
   * once itself, once through the collector's log line.)
   */
  static void quietUnlessDebugging(String logLevel) {
    if (!logLevel.equals("debug") && !logLevel.equals("trace")) {
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    }
  }
}
