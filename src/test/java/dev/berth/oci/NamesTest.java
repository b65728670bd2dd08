package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "library/ubuntu", "a/b/c/d", "my-app", "my__app", "a.b_c-d", "x/blobs/y",
      "0", "a---b", "v2/manifests"})
  void acceptsSpecNames(String name) {
    assertThat(RepositoryName.of(name).value()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "A", "Foo/bar", "a//b", "/a", "a/", "a..b", "..", "a/../b", "a___b", "-a", "a-",
      "a b", "a%2fb", "a\\b", ".a", "a/.b"})
  void rejectsEverythingElse(String name) {
    assertThatThrownBy(() -> RepositoryName.of(name)).isInstanceOf(InvalidNameException.class);
  }

  /** The grammars exactly as the distribution spec writes them, as an oracle for the hand-written checks. */
  static final Pattern SPEC_NAME = Pattern.compile(
      "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
  static final Pattern SPEC_TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

  @Test
  void nameAndTagChecksAgreeWithTheSpecGrammarOnRandomStrings() {
    String alphabet = "ab09._-/A%";
    Random random = new Random(7);
    for (int i = 0; i < 300_000; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(9);
      for (int c = 0; c < length; c++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String candidate = text.toString();
      assertThat(RepositoryName.inGrammar(candidate)).as(candidate).isEqualTo(SPEC_NAME.matcher(candidate).matches());
      assertThat(Tag.inGrammar(candidate)).as(candidate).isEqualTo(SPEC_TAG.matcher(candidate).matches());
    }
  }

  @Test
  void limitsLength() {
    assertThat(RepositoryName.of("a".repeat(255)).value()).hasSize(255);
    assertThatThrownBy(() -> RepositoryName.of("a".repeat(256))).isInstanceOf(InvalidNameException.class);
  }

  @Test
  void namespaceIsTheFirstComponent() {
    assertThat(RepositoryName.of("team/app/api").namespace()).isEqualTo("team");
    assertThat(RepositoryName.of("solo").namespace()).isEqualTo("solo");
  }

  @ParameterizedTest
  @ValueSource(strings = {"latest", "v1.2.3", "_x", "A-b_c.d", "0"})
  void acceptsTags(String tag) {
    assertThat(Tag.of(tag).value()).isEqualTo(tag);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-bad", ".bad", "a:b", "a/b", "with space"})
  void rejectsBadTags(String tag) {
    assertThatThrownBy(() -> Tag.of(tag)).isInstanceOf(InvalidTagException.class);
  }

  @Test
  void tagsAreAtMost128Characters() {
    assertThat(Tag.of("a".repeat(128)).value()).hasSize(128);
    assertThatThrownBy(() -> Tag.of("a".repeat(129))).isInstanceOf(InvalidTagException.class);
  }

  @Test
  void referenceIsADigestExactlyWhenItHasAColon() {
    assertThat(Reference.parse("latest")).isInstanceOf(Reference.ByTag.class);
    assertThat(Reference.parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        .isInstanceOf(Reference.ByDigest.class);
    assertThatThrownBy(() -> Reference.parse("sha256:nothex")).isInstanceOf(InvalidDigestException.class);
  }
}
