package dev.berth.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
  private static final String EMPTY_SHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void parsesAndPrintsSha256() {
    Digest d = Digest.parse(EMPTY_SHA256);
    assertThat(d.algorithm()).isEqualTo(DigestAlgorithm.SHA256);
    assertThat(d).hasToString(EMPTY_SHA256);
    assertThat(Digest.sha256(new byte[0])).isEqualTo(d);
  }

  @Test
  void computesSha512() {
    Digest d = Digest.compute(DigestAlgorithm.SHA512, "abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(d.toString()).startsWith("sha512:ddaf35a193617aba").hasSize(7 + 128);
    assertThat(Digest.parse(d.toString())).isEqualTo(d);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "sha256", "sha256:", ":abc", "md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:xyz",
      "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/../x",
      "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})
  void rejectsMalformedDigests(String text) {
    assertThatThrownBy(() -> Digest.parse(text)).isInstanceOf(InvalidDigestException.class);
    assertThat(Digest.isDigest(text)).isFalse();
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> Digest.parse(null)).isInstanceOf(InvalidDigestException.class);
  }
}
