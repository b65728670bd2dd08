package dev.berth.ui.view;

import java.util.List;
import java.util.Optional;

/**
 * A namespace's policy in the console: its document in an editor (as stored, or as just typed when
 * it was refused or previewed), the problems of a refused one, a preview of what it would do, and
 * the namespace's retention runs.
 *
 * @param setBy who set the stored policy and when; empty when the namespace has none
 */
public record PolicyView(Frame frame, String namespace, String document, Optional<String> setBy,
    List<String> problems, Optional<Decisions> preview, List<RunRow> runs) {

  /** A retention run as the namespace's history lists it. */
  public record RunRow(String href, String startedAt, String requestedBy, String trigger, boolean dryRun,
      String status, long kept, long deleted, long skipped, String bytesFreed) {}
}
