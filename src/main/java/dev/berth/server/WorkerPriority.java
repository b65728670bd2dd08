package dev.berth.server;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a worker process's CPU behind the serving replicas' on a shared machine.
 *
 * <p>The collector's threads already run under {@code SCHED_IDLE}, but that ranks them only against
 * their own group: with the kernel's autogroups (Debian's default), each session's processes form
 * one group, and groups share the CPU by their weight, not by their threads' policies. A worker
 * beside a server on two cores then took an equal share, its JIT and collector together doubling the
 * server's manifest GET p99 during a collection (bench/results/worker-20261207-vm.md). Writing
 * nice 19 to {@code /proc/self/autogroup} gives the whole group the lowest weight, which any process
 * may do to its own group; but the group is the session's, so the worker does it only when it leads
 * its session (a container's process, a systemd service, or {@code setsid berth worker}), never to
 * the shell session it shares with whatever else was started there. Without autogroups the group is
 * the cgroup: weight it there ({@code Nice=19}, {@code CPUWeight=}, a pod's CPU request).
 */
final class WorkerPriority {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerPriority.class);
  static final Path AUTOGROUP = Path.of("/proc/self/autogroup");
  static final int LOWEST = 19;

  private WorkerPriority() {}

  /** Lowers this process's autogroup when it is the process's own; answers what it did, or why not. */
  static String lower() {
    if (!Files.exists(AUTOGROUP)) {
      return "no autogroups here: the worker's weight is its cgroup's";
    }
    if (!leadsItsSession()) {
      return "autogroup shared with the session that started the worker, left alone (start it with setsid,"
          + " as a service or in a container to give it its own)";
    }
    return lower(AUTOGROUP);
  }

  static String lower(Path autogroup) {
    try {
      Files.writeString(autogroup, Integer.toString(LOWEST));
      return "autogroup " + Files.readString(autogroup).trim();
    } catch (IOException e) {
      LOG.warn("cannot lower the worker's autogroup ({}): a collection takes CPU from requests on this machine",
          e.getMessage());
      return "autogroup unchanged: " + e.getMessage();
    }
  }

  private static boolean leadsItsSession() {
    try {
      return Platform.isLinux() && Session.getsid(0) == ProcessHandle.current().pid();
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }

  /** The C library's call, bound once (JNA direct mapping). */
  private static final class Session {
    static {
      Native.register(NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    /** {@code pid} 0: the calling process. */
    static native int getsid(int pid);
  }
}
