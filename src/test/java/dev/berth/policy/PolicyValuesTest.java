package dev.berth.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyValuesTest {

  @ParameterizedTest
  @CsvSource({"0B, 0", "512B, 512", "1KiB, 1024", "20GiB, 21474836480", "3 MiB, 3145728", "2TiB, 2199023255552"})
  void parsesSizes(String text, long bytes) {
    assertThat(ByteSize.parse(text).bytes()).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "20", "20GB", "20gib", "-1GiB", "1.5GiB", "GiB", "20 GiB extra", "9999999999TiB",
      "99999999999999999999B"})
  void refusesBadSizes(String text) {
    assertThatThrownBy(() -> ByteSize.parse(text)).isInstanceOf(InvalidPolicyException.class);
  }

  @ParameterizedTest
  @CsvSource({"0, 0B", "512, 512B", "1536, 1536B", "1048576, 1MiB", "21474836480, 20GiB", "1099511627776, 1TiB",
      "1125899906842624, 1024TiB"})
  void writesSizesInTheLargestExactUnit(long bytes, String text) {
    assertThat(new ByteSize(bytes)).hasToString(text);
    assertThat(ByteSize.parse(text).bytes()).isEqualTo(bytes);
  }

  @Test
  void keepCountsAndDaysAreNeverNegative() {
    assertThat(new Keep.MostRecentlyPushed(0).count()).isZero();
    assertThatThrownBy(() -> new Keep.MostRecentlyPushed(-1)).hasMessageContaining("mostRecentlyPushed must not be negative");
    assertThatThrownBy(() -> new Keep.MostRecentlyPulled(-1)).hasMessageContaining("mostRecentlyPulled");
    assertThatThrownBy(() -> new Keep.PushedWithinDays(-1)).hasMessageContaining("pushedWithinDays");
    assertThatThrownBy(() -> new Keep.PulledWithinDays(-1)).hasMessageContaining("pulledWithinDays");
  }

  @Test
  void cronIsUnixCron() {
    assertThat(new CronSchedule("0 2 * * *").executionTime()).isNotNull();
    assertThatThrownBy(() -> new CronSchedule("0 0 2 * * *")).isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("invalid cron expression");
    assertThatThrownBy(() -> new CronSchedule("every night")).isInstanceOf(InvalidPolicyException.class);
  }

  @Test
  void ruleCoversTaggedImagesByPatternAndUntaggedOnlyWhenAsked() {
    RetentionRule rule = new RetentionRule(PatternSet.repositories("app", "app/**"), PatternSet.tags("v*", "!*-rc*"), false,
        new Keep.Always());
    assertThat(rule.covers("app", List.of(Tag.of("v1")))).isTrue();
    assertThat(rule.covers("app/api", List.of(Tag.of("latest"), Tag.of("v1")))).isTrue();
    assertThat(rule.covers("app/api", List.of(Tag.of("v1-rc1")))).isFalse();
    assertThat(rule.covers("other", List.of(Tag.of("v1")))).isFalse();
    assertThat(rule.covers("app", List.of())).isFalse();
    RetentionRule untagged = new RetentionRule(PatternSet.repositories("**"), PatternSet.tags("**"), true, new Keep.Always());
    assertThat(untagged.covers("app", List.of())).isTrue();
  }

  @Test
  void aScheduleNeedsRules() {
    assertThatThrownBy(() -> new Retention(Optional.of(new CronSchedule("0 2 * * *")), List.of()))
        .isInstanceOf(InvalidPolicyException.class);
  }

  @Test
  void immutableRulesProtectMatchingTags() {
    NamespacePolicy policy = new NamespacePolicy(Retention.NONE, List.of(
        new ImmutableRule(PatternSet.repositories("app"), PatternSet.tags("latest")),
        new ImmutableRule(PatternSet.repositories("**"), PatternSet.tags("v*.*.*"))), Optional.empty());
    assertThat(policy.immutableRule("app", Tag.of("v1.2.3"))).contains(1);
    assertThat(policy.immutableRule("app", Tag.of("latest"))).contains(0);
    assertThat(policy.immutableRule("db", Tag.of("latest"))).isEmpty();
  }

  @Test
  void repositoriesAreMatchedOnTheirPathInsideTheNamespace() {
    assertThat(NamespacePolicy.pathInNamespace(RepositoryName.of("team/app/api"))).isEqualTo("app/api");
    assertThat(NamespacePolicy.pathInNamespace(RepositoryName.of("team"))).isEmpty();
  }
}
