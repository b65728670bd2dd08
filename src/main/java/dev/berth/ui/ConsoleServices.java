package dev.berth.ui;

import dev.berth.auth.AccessControl;
import dev.berth.auth.Users;
import dev.berth.cleanup.DeletePreview;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcService;
import dev.berth.cleanup.Inventory;
import dev.berth.metadata.AccessStore;
import dev.berth.metadata.HistoryStore;
import dev.berth.registry.Manifests;

/**
 * The use cases the console drives: the same objects the admin JSON API and the /v2 API call, so
 * whatever the browser does a script can do too.
 */
public record ConsoleServices(AccessControl access, Users users, AccessStore accounts, Inventory inventory,
    DeletePreview previews, Manifests manifests, GcService gc, GcOptions gcDefaults, HistoryStore history) {}
