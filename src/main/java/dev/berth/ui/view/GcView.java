package dev.berth.ui.view;

import java.util.List;

/** The garbage collection page: start a run (dry or real), the schedule, and the history of runs. */
public record GcView(Frame frame, String grace, boolean deleteUntagged, Schedule schedule, List<Run> runs) {

  /**
   * The schedule in force and its editor's values.
   *
   * @param setBy who set it and when, or that it is the configuration's {@code gc.schedule}
   * @param next the next times it starts a run, in UTC; empty while it is off
   */
  public record Schedule(String cron, boolean enabled, boolean deleteUntagged, String grace, String setBy,
      List<String> next) {}

  /**
   * @param trigger what started it: console, api, schedule, cli
   * @param options whether it deleted untagged images, and its grace period
   * @param keptByGrace the manifests and blobs it left only because they were younger than the grace period
   */
  public record Run(String id, String href, String kind, String status, String requestedBy, String trigger,
      String options, String duration, String keptByGrace, String startedAt, String bytesFreed) {}
}
