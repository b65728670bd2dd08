package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import dev.berth.testing.FuzzInput;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The two range headers a client controls. {@code Range} on a blob GET: either no range (the whole
 * blob), {@link ByteRange.Unsatisfiable} (416), or a range inside the blob. {@code Content-Range}
 * on an upload chunk: either a start offset or a {@link RegistryException} with RANGE_INVALID. No
 * other exception (NumberFormatException, IndexOutOfBoundsException...) may escape.
 *
 * <p>Input: a decimal number on the first line (the blob's size for {@code Range}, the request's
 * Content-Length for {@code Content-Range}, where anything else means no Content-Length), the
 * header value after it. Plain {@code bin/test} runs both over the seeds in
 * {@code src/test/resources/dev/berth/http/RangeHeadersFuzzTestInputs/<method>/}. To fuzz one for
 * real (docs/testing.md):
 *
 * <pre>
 * nice -n 10 bin/fuzz 'RangeHeadersFuzzTest#range' 5m
 * </pre>
 */
class RangeHeadersFuzzTest {

  @FuzzTest
  void range(byte[] data) {
    FuzzInput input = FuzzInput.of(data);
    OptionalLong size = number(input.firstLine());
    if (size.isEmpty()) {
      return;
    }
    Optional<ByteRange> range;
    try {
      range = ByteRange.parse(input.restAsText(), size.getAsLong());
    } catch (ByteRange.Unsatisfiable e) {
      return;
    }
    range.ifPresent(r -> {
      assertThat(r.first()).isBetween(0L, r.last());
      assertThat(r.last()).isLessThan(size.getAsLong());
      assertThat(r.length()).isPositive();
    });
  }

  @FuzzTest
  void contentRange(byte[] data) {
    FuzzInput input = FuzzInput.of(data);
    long contentLength = number(input.firstLine()).orElse(-1);
    OptionalLong start;
    try {
      start = ContentRange.startOf(input.restAsText(), contentLength);
    } catch (RegistryException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.RANGE_INVALID);
      return;
    }
    start.ifPresent(s -> assertThat(s).isNotNegative());
  }

  /** A size or length as Jetty hands it over: a non-negative long. */
  private static OptionalLong number(String text) {
    if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(text));
  }
}
