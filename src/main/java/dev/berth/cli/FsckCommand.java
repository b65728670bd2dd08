package dev.berth.cli;

import dev.berth.cleanup.ConsistencyCheck;
import dev.berth.config.Settings;
import dev.berth.server.BerthServer;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

final class FsckCommand implements Command {
  @Override
  public String description() {
    return """
        Check that metadata and storage agree; read-only, safe beside a running server.
        Exit 0 when every recorded blob has its bytes, 1 on any dangling or corrupt blob.""";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(StoresOption.config())
        .addOption(null, "verify-digests", false, "also hash every blob and compare with its digest");
  }

  @Override
  public int run(CommandLine line) throws Exception {
    boolean verifyDigests = line.hasOption("verify-digests");
    Settings settings = StoresOption.existing(line);
    LoggingSetup.quietUnlessDebugging(settings.logLevel());
    try (BerthServer.Stores stores = BerthServer.Stores.open(settings)) {
      ConsistencyCheck.Result result =
          new ConsistencyCheck(stores.metadata().collector(), stores.blobs()).run(verifyDigests, System.out::println);
      System.out.printf("fsck: %d blobs checked%s: %d dangling, %d corrupt, %d orphaned%n", result.blobsChecked(),
          verifyDigests ? " (digests verified)" : "", result.dangling().size(), result.corrupt().size(),
          result.orphans().size());
      return (result.clean() ? ExitStatus.OK : ExitStatus.FAILED).code;
    }
  }
}
