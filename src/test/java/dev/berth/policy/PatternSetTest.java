package dev.berth.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PatternSetTest {

  @Test
  void exclusionsWinOverInclusions() {
    PatternSet tags = PatternSet.of("v*", "!*-rc*");
    assertThat(tags.matches("v1.2")).isTrue();
    assertThat(tags.matches("v1.2-rc1")).isFalse();
    assertThat(tags.matches("latest")).isFalse();
  }

  @Test
  void exclusionsAloneMatchEverythingElse() {
    PatternSet tags = PatternSet.of("!latest", "!stable");
    assertThat(tags.matches("v1")).isTrue();
    assertThat(tags.matches("latest")).isFalse();
    assertThat(tags.matches("stable")).isFalse();
  }

  @Test
  void keepsThePatternsAsWritten() {
    assertThat(PatternSet.of("v*", "!*-rc*").written()).containsExactly("v*", "!*-rc*");
    assertThat(PatternSet.of("a", "b")).isEqualTo(new PatternSet(List.of("a", "b")));
  }

  @Test
  void namesEveryBadPatternByItsIndex() {
    assertThatThrownBy(() -> PatternSet.of("ok", "a//b", "!", "x**"))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.problems())
            .hasSize(3)
            .satisfiesExactly(
                p -> assertThat(p).startsWith("[1]: "),
                p -> assertThat(p).startsWith("[2]: ").contains("empty pattern"),
                p -> assertThat(p).startsWith("[3]: ").contains("whole path segment")));
  }

  @Test
  void needsAPattern() {
    assertThatThrownBy(() -> new PatternSet(List.of())).isInstanceOf(InvalidPolicyException.class);
  }
}
