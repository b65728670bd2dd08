package dev.berth.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * The requests an in-process Berth served while this is open, read from its access log (logger
 * {@code berth.access}, which the tests' logback configuration otherwise keeps quiet): what a real
 * client sent, down to the query string, for asserting on its side of a conversation.
 */
public final class AccessLog implements AutoCloseable {
  private static final Pattern LINE = Pattern.compile("method=(\\S+) path=\"([^\"]*)\" route=(\\S+) status=(\\d+) .*");

  /** One served request. {@code path} includes the query string. */
  public record Entry(String method, String path, String route, int status) {}

  private final Logger logger = (Logger) LoggerFactory.getLogger("berth.access");
  private final Level level = logger.getLevel();
  private final boolean additive = logger.isAdditive();
  private final List<Entry> entries = new ArrayList<>();
  private final Capture capture = new Capture();

  private AccessLog() {
    capture.setContext(logger.getLoggerContext());
    capture.start();
    logger.addAppender(capture);
    logger.setAdditive(false);
    logger.setLevel(Level.INFO);
  }

  public static AccessLog capture() {
    return new AccessLog();
  }

  /** Everything served so far. */
  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  /**
   * Everything served up to and including the first request matching {@code last}, once it is
   * logged: a line is written when the response has gone out, which may be just after the client
   * has read it.
   */
  public synchronized List<Entry> through(Predicate<Entry> last) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      for (int i = 0; i < entries.size(); i++) {
        if (last.test(entries.get(i))) {
          return List.copyOf(entries.subList(0, i + 1));
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no such request in the access log within 60 s; it holds " + entries);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  private synchronized void add(Entry entry) {
    entries.add(entry);
    notifyAll();
  }

  @Override
  public void close() {
    logger.detachAppender(capture);
    capture.stop();
    logger.setLevel(level);
    logger.setAdditive(additive);
  }

  private final class Capture extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
      Matcher m = LINE.matcher(event.getFormattedMessage());
      if (!m.matches()) {
        throw new IllegalStateException("unexpected access log line: " + event.getFormattedMessage());
      }
      add(new Entry(m.group(1), m.group(2), m.group(3), Integer.parseInt(m.group(4))));
    }
  }
}
