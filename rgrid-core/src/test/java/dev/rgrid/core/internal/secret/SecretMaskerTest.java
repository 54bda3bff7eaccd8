package dev.rgrid.core.internal.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SecretMaskerTest {
  /** {@code text} through a filter, cut into chunks at {@code cuts}. */
  private static String streamed(SecretMasker masker, String text, int... cuts) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SecretMasker.Filter f = masker.filter();
    int from = 0;
    for (int cut : cuts) {
      f.write(bytes, from, cut - from, out::write);
      from = cut;
    }
    f.write(bytes, from, bytes.length - from, out::write);
    f.flush(out::write);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void masksEveryOccurrenceAndLeavesTheRestOfTheTextAlone() {
    SecretMasker m = SecretMasker.of(List.of("hunter2"));
    assertThat(m.mask("pw=hunter2; again hunter2hunter2 hunter hunter22"))
        .isEqualTo("pw=***; again ****** hunter ***2");
  }

  @Test
  void masksAValueSplitAcrossChunksAtEveryPossibleCut() {
    SecretMasker m = SecretMasker.of(List.of("s3cr3t-value"));
    String text = "before s3cr3t-value after";
    for (int cut = 0; cut <= text.length(); cut++) {
      assertThat(streamed(m, text, cut)).as("cut at " + cut)
          .isEqualTo("before *** after");
    }
    for (int a = 0; a <= text.length(); a++) {
      for (int b = a; b <= text.length(); b++) {
        assertThat(streamed(m, text, a, b)).isEqualTo("before *** after");
      }
    }
  }

  @Test
  void passesOnAtOnceWhatCannotStartAValueSoLiveOutputIsNotDelayed() {
    SecretMasker.Filter f = SecretMasker.of(List.of("abcdef")).filter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] line = "progress 50%\n".getBytes(StandardCharsets.UTF_8);
    f.write(line, 0, line.length, out::write);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("progress 50%\n");
    byte[] start = "x abc".getBytes(StandardCharsets.UTF_8);
    f.write(start, 0, start.length, out::write);
    // "abc" may be the start of the value: held back, and no more than that.
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("progress 50%\nx ");
    byte[] end = "xyz".getBytes(StandardCharsets.UTF_8);
    f.write(end, 0, end.length, out::write);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("progress 50%\nx abcxyz");
  }

  @Test
  void aValueThatIsPartOfNormalOutputIsMaskedOnlyWhereItStands() {
    SecretMasker m = SecretMasker.of(List.of("the"));
    assertThat(m.mask("other theme bathe")).isEqualTo("o***r ***me ba***");
    assertThat(SecretMasker.of(List.of("e")).mask("ee\n")).isEqualTo("******\n");
  }

  @Test
  void anEmptyValueMasksNothingAndAnUnfinishedPrefixIsFlushedUnchanged() {
    assertThat(SecretMasker.of(List.of("")).masks()).isFalse();
    assertThat(SecretMasker.of(List.of("")).mask("text")).isEqualTo("text");
    assertThat(streamed(SecretMasker.of(List.of("secret")), "ends with secr")).isEqualTo(
        "ends with secr");
  }

  @Test
  void overlappingValuesMaskTheLeftmostLongestWhateverTheChunks() {
    SecretMasker m = SecretMasker.of(List.of("abcd", "bc", "cdef"));
    String text = "xabcdefx abx bcx";
    String whole = m.mask(text);
    assertThat(whole).isEqualTo("x***efx abx ***x");
    for (int cut = 0; cut <= text.length(); cut++) {
      assertThat(streamed(m, text, cut)).isEqualTo(whole);
    }
  }

  @Test
  void masksMultiByteAndLargeValuesInRandomChunks() {
    StringBuilder big = new StringBuilder();
    Random random = new Random(42);
    while (big.length() < 64 * 1024) {
      big.append((char) ('a' + random.nextInt(26))).append('é');
    }
    String value = big.substring(0, 32 * 1024);
    SecretMasker m = SecretMasker.of(List.of(value, "ü€"));
    String text = "start " + value + " mid ü€ü " + value.substring(1) + " end";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    List<Integer> cuts = new ArrayList<>();
    for (int at = random.nextInt(5000); at < bytes.length; at += 1 + random.nextInt(5000)) {
      cuts.add(at);
    }
    String out = streamed(m, text, cuts.stream().mapToInt(Integer::intValue).toArray());
    assertThat(out).isEqualTo("start *** mid ***ü " + value.substring(1) + " end");
  }
}
