package dev.berth.cli;

import dev.berth.config.ConfigLoader;
import dev.berth.config.Settings;
import dev.berth.server.BerthServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code berth training-run}: what {@code bin/berth} runs once per build, on JDK 25 and later, to
 * record the JVM's AOT cache for {@code serve} ({@code -XX:AOTCacheOutput}). The cache holds the
 * classes this run loaded and linked and the profiles of the methods it ran, so it goes through
 * the same steps as {@code serve} (YAML configuration, logging, stores, HTTP) and then the requests
 * a registry mostly answers. It serves a fresh temporary directory on an ephemeral loopback port,
 * so it never touches the deployment's data, and deletes the directory when done.
 */
final class TrainingRunCommand implements Command {
  static final int DEFAULT_ROUNDS = 3;

  @Override
  public String description() {
    return "Push and pull a small image through a throwaway registry (bin/berth records the JVM's AOT cache from it).";
  }

  @Override
  public Options options() {
    return new Options().addOption(Option.builder().longOpt("rounds").hasArg().argName("N").type(Number.class)
        .desc("pull rounds after the push (default " + DEFAULT_ROUNDS + ")").get());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    Number rounds = line.getParsedOptionValue("rounds", DEFAULT_ROUNDS);
    Path dir = Files.createTempDirectory("berth-training-");
    try {
      Path config = dir.resolve("berth.yml");
      // The default configuration but for where and on which port: what a first `serve` would load.
      Files.writeString(config, """
          version: 0.1
          http:
            addr: 127.0.0.1:0
          storage:
            filesystem:
              rootdirectory: %s
            delete:
              enabled: true
          """.formatted(dir.resolve("data")));
      Settings settings = new ConfigLoader().load(Optional.of(config), Map.of());
      ServeCommand.configureLogging(settings);
      try (BerthServer server = BerthServer.start(settings)) {
        new TrainingWorkload(URI.create("http://127.0.0.1:" + server.port())).run(rounds.intValue());
      }
      return 0;
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
