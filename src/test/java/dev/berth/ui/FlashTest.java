package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FlashTest {

  @Test
  void aRefusalWithTypedFieldsAndAReportSurviveTheSessionsTextColumn() {
    Flash refused = Flash.refusal("no user a&b=c\nd", Map.of("user", "a&b=c", "days", "12 ñ\n"));
    assertThat(Flash.decode(refused.encode())).isEqualTo(
        new Flash(true, "no user a&b=c d", Map.of("user", "a&b=c", "days", "12 ñ\n")));
    assertThat(Flash.decode(Flash.done("Removed user bob.").encode())).isEqualTo(Flash.done("Removed user bob."));
    assertThat(Flash.decode("")).isEqualTo(Flash.NONE);
  }

  @Test
  void aMessageStoredBeforeFlashesHadAKindReadsAsARefusal() {
    assertThat(Flash.decode("unknown role overlord")).isEqualTo(new Flash(true, "unknown role overlord", Map.of()));
  }
}
