package dev.berth.cli;

import dev.berth.cleanup.ConsistencyCheck;
import dev.berth.config.ConfigException;
import dev.berth.config.Settings;
import dev.berth.server.BerthServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fsck", mixinStandardHelpOptions = true,
    description = {"Check that metadata and storage agree; read-only, safe beside a running server.",
        "Exit 0 when every recorded blob has its bytes, 1 on any dangling or corrupt blob."})
final class FsckCommand implements Callable<Integer> {

  @picocli.CommandLine.Mixin
  StoresOption stores;

  @Option(names = "--verify-digests", description = "also hash every blob and compare with its digest")
  boolean verifyDigests;

  @Override
  public Integer call() throws Exception {
    Settings settings;
    try {
      settings = stores.settings();
    } catch (ConfigException e) {
      System.err.println("berth fsck: " + e.getMessage());
      return Main.EXIT_CONFIG;
    }
    try (BerthServer.Stores stores = BerthServer.Stores.open(settings)) {
      ConsistencyCheck.Result result =
          new ConsistencyCheck(stores.metadata(), stores.blobs()).run(verifyDigests, System.out::println);
      System.out.printf("fsck: %d blobs checked%s: %d dangling, %d corrupt, %d orphaned%n", result.blobsChecked(),
          verifyDigests ? " (digests verified)" : "", result.dangling().size(), result.corrupt().size(),
          result.orphans().size());
      return result.clean() ? 0 : 1;
    }
  }
}
