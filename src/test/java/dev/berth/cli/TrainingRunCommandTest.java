package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code berth training-run}, which bin/berth records the AOT cache from: its requests must all
 * succeed against a real server (it fails on any unexpected status), and it must leave nothing behind.
 */
class TrainingRunCommandTest {
  @Test
  void pushesAndPullsThroughAThrowawayRegistryAndRemovesIt() throws Exception {
    List<Path> before = trainingDirectories();

    MainTest.Outcome outcome = MainTest.berth("training-run", "--rounds", "2");

    assertThat(outcome.status()).as(outcome.err()).isZero();
    assertThat(trainingDirectories()).isEqualTo(before);
  }

  @Test
  void roundsMustBeANumber() throws Exception {
    MainTest.Outcome outcome = MainTest.berth("training-run", "--rounds", "many");

    assertThat(outcome.status()).isEqualTo(ExitStatus.USAGE.code);
  }

  private static List<Path> trainingDirectories() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries.filter(p -> p.getFileName().toString().startsWith("berth-training-")).sorted().toList();
    }
  }
}
