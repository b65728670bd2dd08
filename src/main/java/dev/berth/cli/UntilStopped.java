package dev.berth.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps a long-running command's process up until SIGTERM or SIGINT, then closes what it runs. */
final class UntilStopped {
  private UntilStopped() {}

  /** Blocks until the JVM is asked to stop and {@code running} has been closed. */
  static void await(AutoCloseable running, String stopping) throws InterruptedException {
    Logger log = LoggerFactory.getLogger("berth");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("berth-shutdown").unstarted(() -> {
      log.info(stopping);
      try {
        running.close();
      } catch (Exception e) {
        log.error("unclean shutdown", e);
      }
      log.info("stopped");
      // Access lines go through an asynchronous appender; stopping the context flushes them before
      // the JVM exits, so the last lines of a shutdown are never lost.
      ((ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory()).stop();
      stopped.countDown();
    }));
    stopped.await();
  }
}
