package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * One string, as it arrives in a request path, through every parser of names: repository name,
 * tag, digest and manifest reference. Each either accepts it, and then prints it back exactly, or
 * refuses it with its own {@link OciFormatException} subclass (the HTTP layer maps each to its
 * spec code: NAME_INVALID, TAG_INVALID, DIGEST_INVALID). Names and tags are also checked against the
 * spec's regular expressions ({@link NamesTest#SPEC_NAME}, {@link NamesTest#SPEC_TAG}).
 *
 * <p>Plain {@code bin/test} runs this over the seeds in
 * {@code src/test/resources/dev/berth/oci/NamesFuzzTestInputs/parse/}. To fuzz for real
 * (docs/testing.md):
 *
 * <pre>
 * nice -n 10 bin/fuzz NamesFuzzTest 5m
 * </pre>
 */
class NamesFuzzTest {

  @FuzzTest
  void parse(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    repositoryName(text);
    tag(text);
    digest(text);
    reference(text);
  }

  private static void repositoryName(String text) {
    boolean inSpec = text.length() <= RepositoryName.MAX_LENGTH && NamesTest.SPEC_NAME.matcher(text).matches();
    try {
      assertThat(RepositoryName.of(text).toString()).isEqualTo(text);
      assertThat(inSpec).as("accepted name in the spec grammar").isTrue();
    } catch (InvalidNameException refused) {
      assertThat(inSpec).as("refused name in the spec grammar").isFalse();
    }
  }

  private static void tag(String text) {
    boolean inSpec = NamesTest.SPEC_TAG.matcher(text).matches();
    try {
      assertThat(Tag.of(text).toString()).isEqualTo(text);
      assertThat(inSpec).as("accepted tag in the spec grammar").isTrue();
    } catch (InvalidTagException refused) {
      assertThat(inSpec).as("refused tag in the spec grammar").isFalse();
    }
  }

  private static void digest(String text) {
    Digest digest;
    try {
      digest = Digest.parse(text);
    } catch (InvalidDigestException refused) {
      return;
    }
    assertThat(digest.toString()).isEqualTo(text);
    assertThat(digest.hex()).hasSize(digest.algorithm().hexLength());
    assertThat(Digest.parse(digest.toString())).isEqualTo(digest);
  }

  private static void reference(String text) {
    Reference reference;
    try {
      reference = Reference.parse(text);
    } catch (InvalidTagException | InvalidDigestException refused) {
      return;
    }
    assertThat(reference.toString()).isEqualTo(text);
    assertThat(reference instanceof Reference.ByDigest).isEqualTo(text.indexOf(':') >= 0);
  }
}
