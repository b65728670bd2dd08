package dev.berth.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PatternSetTest {

  @Test
  void exclusionsWinOverInclusions() {
    PatternSet tags = PatternSet.tags("v*", "!*-rc*");
    assertThat(tags.matches("v1.2")).isTrue();
    assertThat(tags.matches("v1.2-rc1")).isFalse();
    assertThat(tags.matches("latest")).isFalse();
    PatternSet repositories = PatternSet.repositories("**", "!scratch/**");
    assertThat(repositories.matches("app/api")).isTrue();
    assertThat(repositories.matches("scratch/x")).isFalse();
  }

  @Test
  void exclusionsAloneMatchEverythingElse() {
    PatternSet tags = PatternSet.tags("!latest", "!stable");
    assertThat(tags.matches("v1")).isTrue();
    assertThat(tags.matches("latest")).isFalse();
    assertThat(tags.matches("stable")).isFalse();
  }

  @Test
  void keepsThePatternsAsWrittenAndWhatTheyAreOn() {
    assertThat(PatternSet.tags("v*", "!*-rc*").written()).containsExactly("v*", "!*-rc*");
    assertThat(PatternSet.tags("a", "b")).isEqualTo(PatternSet.tags(List.of("a", "b")));
    assertThat(PatternSet.tags("a")).isNotEqualTo(PatternSet.repositories("a"));
  }

  @Test
  void namesEveryBadPatternByItsIndex() {
    assertThatThrownBy(() -> PatternSet.repositories("ok", "a//b", "!", "x**"))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.problems())
            .satisfiesExactly(
                p -> assertThat(p).startsWith("[1]: ").contains("empty path segment"),
                p -> assertThat(p).startsWith("[2]: ").contains("empty pattern"),
                p -> assertThat(p).startsWith("[3]: ").contains("whole path segment")));
  }

  @Test
  void aTagPatternCannotHoldASlash() {
    assertThat(PatternSet.repositories("app/*").matches("app/api")).isTrue();
    assertThatThrownBy(() -> PatternSet.tags("v*", "app/v1", "!x/y"))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.problems()).containsExactly(
            "[1]: tag pattern \"app/v1\" cannot match: a tag has no /",
            "[2]: tag pattern \"!x/y\" cannot match: a tag has no /"));
  }

  @Test
  void needsAPattern() {
    assertThatThrownBy(() -> PatternSet.tags(List.of())).isInstanceOf(InvalidPolicyException.class);
  }

  @Test
  void rulesTakeRepositoryPatternsThenTagPatterns() {
    assertThatThrownBy(() -> new RetentionRule(PatternSet.tags("a"), PatternSet.repositories("b"), false, new Keep.Always()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ImmutableRule(PatternSet.repositories("a"), PatternSet.repositories("b")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
