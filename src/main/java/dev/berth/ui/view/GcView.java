package dev.berth.ui.view;

import java.util.List;

/** The garbage collection page: start a run (dry or real) and the history of runs. */
public record GcView(Frame frame, String grace, boolean deleteUntagged, List<Run> runs) {

  /**
   * @param trigger what started it: console, api, schedule, cli
   * @param options whether it deleted untagged images, and its grace period
   * @param keptByGrace the manifests and blobs it left only because they were younger than the grace period
   */
  public record Run(String id, String href, String kind, String status, String requestedBy, String trigger,
      String options, String duration, String keptByGrace, String startedAt, String bytesFreed) {}
}
