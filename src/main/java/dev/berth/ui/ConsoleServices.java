package dev.berth.ui;

import dev.berth.auth.AccessControl;
import dev.berth.auth.Administration;
import dev.berth.cleanup.DeletePreview;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcSchedule;
import dev.berth.cleanup.GcService;
import dev.berth.cleanup.Inventory;
import dev.berth.cleanup.Policies;
import dev.berth.cleanup.RetentionRuns;
import dev.berth.metadata.ConsoleSessionStore;
import dev.berth.metadata.HistoryStore;
import dev.berth.registry.Blobs;
import dev.berth.registry.Manifests;
import java.util.function.Function;
import org.eclipse.jetty.server.Request;

/**
 * The use cases the console drives: the same objects the admin JSON API and the /v2 API call, with
 * the same rules for who may do what ({@link Administration} and its permissions), so whatever the
 * browser does a script can do too, and nothing more. {@code externalUrl} is the base URL
 * ({@code scheme://host[:port]}) a request's client reaches the registry at, as the /v2 API tells
 * clients, for the pull commands the console shows.
 */
public record ConsoleServices(AccessControl access, Administration administration, Inventory inventory,
    DeletePreview previews, Manifests manifests, GcService gc, GcOptions gcDefaults, GcSchedule gcSchedule,
    HistoryStore history,
    ConsoleSessionStore sessions, Blobs blobs, Policies policies, RetentionRuns retention,
    Function<Request, String> externalUrl) {}
