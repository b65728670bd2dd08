package dev.berth.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
