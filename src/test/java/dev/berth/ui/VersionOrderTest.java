package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Tag;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionOrderTest {
  private static List<String> sorted(String... tags) {
    return VersionOrder.sorted(java.util.Arrays.stream(tags).map(Tag::of).toList()).stream().map(Tag::value).toList();
  }

  @Test
  void numbersCompareAsNumbers() {
    assertThat(sorted("2.10", "2.9", "10.0", "2.1")).containsExactly("2.1", "2.9", "2.10", "10.0");
    assertThat(sorted("v1.2.10", "v1.2.9", "v1.10.0")).containsExactly("v1.2.9", "v1.2.10", "v1.10.0");
  }

  @Test
  void aLeadingVIsIgnoredAndTiesFallBackToTheText() {
    assertThat(sorted("v2.0", "1.5", "2.0", "V1.9")).containsExactly("1.5", "V1.9", "2.0", "v2.0");
  }

  @Test
  void aShorterVersionComesBeforeItsLongerOnesAndAPreReleaseBeforeItsRelease() {
    assertThat(sorted("1.0.1", "1", "1.0", "1.0-rc2", "1.0-rc1")).containsExactly("1", "1.0-rc1", "1.0-rc2", "1.0", "1.0.1");
  }

  @Test
  void tagsThatAreNoVersionsComeAfterAllVersionsAlphabetically() {
    assertThat(sorted("latest", "main", "3.1", "edge", "v0.1", "nightly-2"))
        .containsExactly("v0.1", "3.1", "edge", "latest", "main", "nightly-2");
  }

  @Test
  void numbersBeyondLongStillCompare() {
    assertThat(sorted("99999999999999999999999.1", "9.1")).containsExactly("9.1", "99999999999999999999999.1");
  }
}
