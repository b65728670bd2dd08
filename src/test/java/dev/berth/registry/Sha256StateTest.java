package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import dev.berth.oci.DigestAlgorithm;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Sha256StateTest {

  /** Around the 64-byte block: empty, inside one, exactly one, just past, many. */
  @Test
  void aHashResumedFromItsSavedStateEndsWithTheDigestOfAllTheBytes() {
    byte[] content = new byte[300_000];
    new Random(5).nextBytes(content);
    for (int split : new int[] {0, 1, 63, 64, 65, 1000, 262_144, 299_999}) {
      RunningHash first = RunningHash.empty(DigestAlgorithm.SHA256);
      first.update(content, 0, split);
      byte[] state = first.state().orElseThrow();

      RunningHash resumed = RunningHash.resume(state.clone()).orElseThrow();
      assertThat(resumed.length()).isEqualTo(split);
      resumed.update(content, split, content.length - split);
      assertThat(resumed.current()).as("split at %d", split).isEqualTo(Digest.sha256(content));
      first.update(content, split, content.length - split);
      assertThat(first.current()).isEqualTo(Digest.sha256(content));
    }
  }

  /** Go's crypto/sha256 MarshalBinary of "abc": its magic, eight state words, the block, the length. */
  @Test
  void theStateIsEncodedAsGoEncodesIt() {
    RunningHash hash = RunningHash.empty(DigestAlgorithm.SHA256);
    hash.update("abc".getBytes(), 0, 3);
    byte[] state = hash.state().orElseThrow();
    assertThat(state).hasSize(108);
    String hex = HexFormat.of().formatHex(state);
    // "sha\x03" then the initial state words (no block was compressed), "abc" padded to 64 bytes, length 3.
    assertThat(hex).isEqualTo("73686103"
        + "6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19"
        + "616263" + "00".repeat(61)
        + "0000000000000003");
  }

  @Test
  void aStateThatIsNotOneIsRefused() {
    byte[] state = RunningHash.empty(DigestAlgorithm.SHA256).state().orElseThrow();
    assertThat(RunningHash.resume(new byte[] {1, 2, 3})).isEmpty();
    byte[] badMagic = state.clone();
    badMagic[3] = 2;
    assertThat(RunningHash.resume(badMagic)).isEmpty();
    byte[] negative = state.clone();
    negative[100] = (byte) 0x80;
    assertThat(RunningHash.resume(negative)).isEmpty();
  }

  @Test
  void sha512HasNoStateToSave() {
    assertThat(RunningHash.empty(DigestAlgorithm.SHA512).state()).isEmpty();
  }
}
