package dev.berth.ui.view;

import java.util.Optional;

/**
 * The first page: what the registry stores, what a collection could free, and how storage moved.
 *
 * @param reclaimable what the last dry run said a real run would free, and when it ran; empty
 *     before any dry run and after a real collection
 * @param grace the configured collection defaults, which the "compute now" dry run uses
 */
public record DashboardView(Frame frame, String storageUsed, long blobs, long repositories, long manifests,
    Optional<String> reclaimable, Optional<GcView.Run> lastRun, LineChart storage, String grace,
    boolean deleteUntagged) {}
