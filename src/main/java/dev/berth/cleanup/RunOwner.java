package dev.berth.cleanup;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The process that runs a collection, recorded with the run as {@code host/pid}: on its own host,
 * whether it is still alive can be asked of the operating system at once; elsewhere only its
 * heartbeat tells.
 */
record RunOwner(String host, long pid) {
  /**
   * This process, named by its host, or by the system property {@code berth.node} where processes
   * that share a host name do not share process ids (containers on one machine, each with its own
   * PID namespace) or must be told apart as if on different machines (the cluster tests).
   */
  static RunOwner current() {
    String host = System.getProperty("berth.node");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "unknown-host";
      }
    }
    return new RunOwner(host, ProcessHandle.current().pid());
  }

  static Optional<RunOwner> parse(String text) {
    int slash = text.lastIndexOf('/');
    if (slash <= 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(new RunOwner(text.substring(0, slash), Long.parseLong(text.substring(slash + 1))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Known gone without waiting for its heartbeat: it ran on {@code self}'s host and no process of
   * its id is alive there, or it is {@code self}, which is not running it (a container restarted
   * under the same name and process id).
   */
  boolean isGoneOnThisHost(RunOwner self) {
    if (!host.equals(self.host)) {
      return false;
    }
    return pid == self.pid || ProcessHandle.of(pid).map(process -> !process.isAlive()).orElse(true);
  }

  @Override
  public String toString() {
    return host + "/" + pid;
  }
}
