package dev.berth.server;

import dev.berth.cleanup.GarbageCollector;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcSchedule;
import dev.berth.cleanup.GcService;
import dev.berth.cleanup.Inventory;
import dev.berth.cleanup.Policies;
import dev.berth.cleanup.RetentionRuns;
import dev.berth.cleanup.RetentionSchedule;
import dev.berth.cleanup.StorageSampler;
import dev.berth.config.ConfigException;
import dev.berth.config.Settings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * A process of a replicated deployment that runs the scheduled jobs (GC, storage samples) and
 * serves no requests, so that collections take neither CPU nor memory from the replicas that do.
 * The serving replicas set {@code scheduler.enabled: false}. Its collector threads run under
 * {@code SCHED_IDLE} as a server's do, and the whole process at the lowest weight its kernel lets it
 * take for itself ({@link WorkerPriority}).
 */
public final class BerthWorker implements AutoCloseable {
  private final List<AutoCloseable> closeInOrder;

  private BerthWorker(List<AutoCloseable> closeInOrder) {
    this.closeInOrder = closeInOrder;
  }

  /**
   * @throws ConfigException when the deployment is not one several processes can share
   * @throws StartFailure when the database or the blob store cannot be used
   */
  public static BerthWorker start(Settings settings) throws Exception {
    if (!(settings.database() instanceof Settings.Postgres)) {
      throw new ConfigException("berth worker needs database.driver postgres: with SQLite one process serves the"
          + " data directory and runs its schedule itself");
    }
    LoggerFactory.getLogger(BerthWorker.class).info("worker priority: {}", WorkerPriority.lower());
    Clock clock = Clock.systemUTC();
    List<AutoCloseable> resources = new ArrayList<>();
    BerthServer.Stores stores = BerthServer.Stores.open(settings);
    resources.add(stores);
    try {
      GcService gc = new GcService(new GarbageCollector(stores.metadata().collector(), stores.blobs(), stores.guard(),
          clock), stores.metadata().history(), clock);
      gc.closeInterruptedRuns();
      Inventory inventory = new Inventory(stores.metadata().inventory(), stores.metadata().manifests(),
          stores.metadata().collector(), stores.metadata().history(), clock);
      resources.addFirst(StorageSampler.start(inventory, BerthServer.STORAGE_SAMPLE_PERIOD,
          stores.metadata().jobClaims(), clock));
      GcOptions gcDefaults = BerthServer.defaultGcOptions(settings);
      resources.addFirst(new GcSchedule(stores.metadata().history(), gc, gcDefaults, settings.gc().schedule(), clock)
          .start(stores.metadata().jobClaims()));
      // Pulls the replicas recorded but have not written yet (at most their flush period) do not count.
      Policies policies = new Policies(stores.metadata(), clock);
      resources.addFirst(new RetentionSchedule(new RetentionRuns(stores.metadata(), policies, clock, () -> { }),
          policies, gc, gcDefaults).start(stores.metadata().jobClaims(), clock));
      return new BerthWorker(resources);
    } catch (Exception | Error e) {
      BerthServer.closeAll(resources);
      throw e;
    }
  }

  @Override
  public void close() throws Exception {
    BerthServer.closeAll(closeInOrder);
  }
}
