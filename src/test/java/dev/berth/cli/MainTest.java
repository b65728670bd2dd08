package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {
  private static final String[] ALL = {"serve", "gc", "fsck", "user", "help"};

  @Test
  void aRunBuildsOnlyTheCommandItNames() {
    assertThat(Main.commandLine(new String[] {"serve", "--config", "x.yml"}).getSubcommands()).containsOnlyKeys("serve");
    assertThat(Main.commandLine(new String[] {"user", "list"}).getSubcommands()).containsOnlyKeys("user");
  }

  @Test
  void helpOptionsAndMistakesSeeEveryCommand() {
    for (String[] args : new String[][] {{}, {"--help"}, {"-V"}, {"help", "gc"}, {"bogus"}}) {
      assertThat(Main.commandLine(args).getSubcommands()).as(String.join(" ", args)).containsOnlyKeys(ALL);
    }
  }
}
