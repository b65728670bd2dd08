package dev.berth.cleanup;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads for the collector, which must give the CPU to requests the moment they want it.
 *
 * <p>On Linux they run under {@code SCHED_IDLE}: a request thread that wakes up preempts them at
 * once. A low nice value is not enough: the scheduler (EEVDF) lets the running thread finish its
 * slice first, milliseconds that showed as request latency while a collection ran. Any user may
 * move its own threads to {@code SCHED_IDLE}. Elsewhere, or should the call fail, they keep the
 * lowest Java priority, which the JVM maps to nice 19 under {@code -XX:ThreadPriorityPolicy=1}.
 */
final class BackgroundThreads {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundThreads.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private BackgroundThreads() {}

  /** Platform daemon threads: a virtual one would hold a request carrier while it computes. */
  static ThreadFactory factory(Thread.Builder.OfPlatform named) {
    ThreadFactory threads = named.daemon().priority(Thread.MIN_PRIORITY).factory();
    return task -> threads.newThread(() -> {
      enterIdlePolicy();
      task.run();
    });
  }

  /** Never throws: a thread pool's worker that died here would leave its first task waiting forever. */
  private static void enterIdlePolicy() {
    try {
      if (Platform.isLinux()
          && LinuxScheduler.sched_setscheduler(0, LinuxScheduler.SCHED_IDLE, new int[] {0}) != 0) {
        warnOnce("sched_setscheduler failed, errno " + Native.getLastError());
      }
    } catch (LinkageError | RuntimeException e) {
      warnOnce(e.toString());
    }
  }

  private static void warnOnce(String why) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn("garbage collection threads keep the normal scheduling policy ({}); requests may wait for them", why);
    }
  }

  /** The C library's call, bound once (JNA direct mapping). */
  private static final class LinuxScheduler {
    static final int SCHED_IDLE = 5;

    static {
      Native.register(NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    /** {@code pid} 0: the calling thread; {@code param}: struct sched_param, one int. */
    static native int sched_setscheduler(int pid, int policy, int[] param);
  }
}
