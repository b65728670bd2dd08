package dev.berth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * A policy document, as a namespace admin sends it: it is either read into a policy, which then
 * reads back equal from both the YAML and the JSON written for it, or refused with
 * {@link InvalidPolicyException} naming at least one problem; no Jackson or YAML exception, no
 * NullPointerException, no other exception escapes.
 *
 * <p>Input: the document's text. Plain {@code bin/test} runs this over the seeds in
 * {@code src/test/resources/dev/berth/policy/PolicyDocumentFuzzTestInputs/read/}. To fuzz for real
 * (docs/testing.md):
 *
 * <pre>
 * nice -n 10 bin/fuzz PolicyDocumentFuzzTest 5m
 * </pre>
 */
class PolicyDocumentFuzzTest {

  @FuzzTest
  void read(byte[] data) {
    NamespacePolicy policy;
    try {
      policy = PolicyDocument.read(new String(data, StandardCharsets.UTF_8));
    } catch (InvalidPolicyException refused) {
      assertThat(refused.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).isNotBlank());
      return;
    }
    assertThat(PolicyDocument.read(PolicyDocument.toYaml(policy))).isEqualTo(policy);
    assertThat(PolicyDocument.read(PolicyDocument.toJson(policy))).isEqualTo(policy);
  }
}
