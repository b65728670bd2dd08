package dev.berth.ui.view;

import java.util.List;

/** The garbage collection page: start a run (dry or real) and the history of runs. */
public record GcView(Frame frame, String grace, boolean deleteUntagged, List<Run> runs) {

  public record Run(String id, String href, String kind, String status, String requestedBy, String startedAt,
      String bytesFreed) {}
}
