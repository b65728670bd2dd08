package dev.berth.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathPatternTest {

  @ParameterizedTest(name = "{0} on \"{1}\": {2}")
  @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
      **        | app         | true
      **        | app/api/v1  | true
      **        | ''          | true
      *         | app         | true
      *         | app/api     | false
      *         | ''          | true
      app       | app         | true
      app       | app/api     | false
      app/**    | app         | false
      app/**    | app/api     | true
      app/**    | app/api/v1  | true
      app/**    | apps/api    | false
      app/*     | app/api     | true
      app/*     | app/api/v1  | false
      **/api    | api         | true
      **/api    | app/api     | true
      **/api    | a/b/api     | true
      **/api    | app/apis    | false
      a/**/b    | a/b         | true
      a/**/b    | a/x/b       | true
      a/**/b    | a/x/y/b     | true
      a/**/b    | a/x/y/c     | false
      a/**/b    | ab          | false
      v*        | v1.2        | true
      v*        | 1.2         | false
      v*.*.*    | v1.2.3      | true
      v*.*.*    | v1.2        | false
      v*.*.*    | v1x2x3      | false
      *-rc*     | 1.0-rc1     | true
      *-rc*     | 1.0         | false
      v?        | v1          | true
      v?        | v12         | false
      a?b       | a/b         | false
      Latest    | latest      | false
      """)
  void matches(String glob, String path, boolean expected) {
    assertThat(PathPattern.of(glob).matches(path)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a//b", "/a", "a/", "a**", "**b", "a/**x", "***", "**/**", "a b", "a[0]", "{a,b}",
      "a\\b", "é"})
  void refusesBadPatterns(String glob) {
    assertThatThrownBy(() -> PathPattern.of(glob)).isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("pattern");
  }

  /** The globs' meaning as regular expressions, an oracle for the automaton on short inputs. */
  static Pattern oracle(String glob) {
    StringBuilder regex = new StringBuilder();
    String[] segments = glob.split("/", -1);
    boolean separatorConsumed = false;
    for (int i = 0; i < segments.length; i++) {
      boolean first = i == 0;
      boolean last = i == segments.length - 1;
      if (segments[i].equals("**")) {
        regex.append(first && last ? ".*" : last ? "(?:/[^/]+)+" : (first ? "" : "/") + "(?:[^/]+/)*");
        separatorConsumed = !last;
        continue;
      }
      regex.append(!first && !separatorConsumed ? "/" : "");
      separatorConsumed = false;
      for (char c : segments[i].toCharArray()) {
        regex.append(c == '*' ? "[^/]*" : c == '?' ? "[^/]" : Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }

  @Test
  void agreesWithTheRegularExpressionsOfItsGlobsOnRandomInput() {
    String[] pieces = {"a", "b", "/", "*", "?", "**", "."};
    String alphabet = "ab/.";
    Random random = new Random(22);
    int compared = 0;
    while (compared < 20_000) {
      StringBuilder glob = new StringBuilder();
      for (int i = random.nextInt(6) + 1; i > 0; i--) {
        glob.append(pieces[random.nextInt(pieces.length)]);
      }
      PathPattern pattern = validOrNull(glob.toString());
      if (pattern == null) {
        continue;
      }
      Pattern expected = oracle(glob.toString());
      for (int p = 0; p < 20; p++) {
        StringBuilder path = new StringBuilder();
        for (int i = random.nextInt(9); i > 0; i--) {
          path.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        agree(pattern, expected, path.toString());
      }
      compared++;
    }
  }

  /**
   * Automata of more than 64 states, whose sets of states take more than one word: long literal
   * globs with a few wildcards (few enough for the backtracking oracle), on paths that match them
   * and on those paths with one character changed.
   */
  @Test
  void agreesWithTheRegularExpressionsOfLongGlobs() {
    String[] wildcards = {"*", "?", "**"};
    String alphabet = "ab/.";
    Random random = new Random(23);
    int compared = 0;
    int matched = 0;
    while (compared < 2_000) {
      StringBuilder glob = new StringBuilder();
      StringBuilder matching = new StringBuilder();
      for (int i = 0; i < 70 + random.nextInt(60); i++) {
        if (random.nextInt(25) == 0) {
          String wildcard = wildcards[random.nextInt(wildcards.length)];
          glob.append(wildcard);
          matching.append(wildcard.equals("?") ? "a" : "ab".substring(0, random.nextInt(3)));
        } else {
          char c = alphabet.charAt(random.nextInt(alphabet.length()));
          glob.append(c);
          matching.append(c);
        }
      }
      PathPattern pattern = validOrNull(glob.toString());
      if (pattern == null) {
        continue;
      }
      Pattern expected = oracle(glob.toString());
      for (int p = 0; p < 10; p++) {
        StringBuilder path = new StringBuilder(matching);
        if (p > 0) {
          path.setCharAt(random.nextInt(path.length()), alphabet.charAt(random.nextInt(alphabet.length())));
        }
        matched += agree(pattern, expected, path.toString()) ? 1 : 0;
      }
      compared++;
    }
    assertThat(matched).as("paths matched, of 20,000").isGreaterThan(2_000);
  }

  /** The glob's pattern, or null when it is refused (the oracle has no refusals: those globs are skipped). */
  private static PathPattern validOrNull(String glob) {
    try {
      return PathPattern.of(glob);
    } catch (InvalidPolicyException refused) {
      return null;
    }
  }

  /** Asserts that the pattern and its oracle agree on the path; whether the pattern matched it. */
  private static boolean agree(PathPattern pattern, Pattern oracle, String path) {
    boolean matches = pattern.matches(path);
    assertThat(matches).as("%s on %s", oracle, path).isEqualTo(oracle.matcher(path).matches());
    return matches;
  }

  /** Backtracking would take about 128^10 steps here; the automaton takes one pass. */
  @Test
  void patternsThatMakeBacktrackingExplodeAreMatchedInOnePass() {
    String tag = "a".repeat(128);
    assertThat(PathPattern.of("*a*a*a*a*a*a*a*a*a*a*b").matches(tag)).isFalse();
    assertThat(PathPattern.of("**/*a*a*a*a*a*a*a*a*/**/*a*a*a*a*a*b").matches((tag + "/").repeat(8) + "c")).isFalse();
    assertThat(PathPattern.of("*a*a*a*a*a*a*a*a*a*a*").matches(tag)).isTrue();
  }
}
