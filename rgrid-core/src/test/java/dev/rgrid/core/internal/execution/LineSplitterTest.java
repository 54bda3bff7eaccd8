package dev.rgrid.core.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
  private final List<String> lines = new ArrayList<>();

  private void feed(LineSplitter s, byte[] bytes, int chunk) {
    for (int i = 0; i < bytes.length; i += chunk) {
      s.write(bytes, i, Math.min(chunk, bytes.length - i));
    }
    s.finish();
  }

  @Test
  void splitsOnNewlinesAcrossChunksAndDropsCarriageReturns() {
    LineSplitter s = new LineSplitter(1024, lines::add);
    feed(s, "one\r\ntwo\n\nthree".getBytes(StandardCharsets.UTF_8), 3);
    assertThat(lines).containsExactly("one", "two", "", "three");
  }

  @Test
  void cutsLongLinesIntoPiecesWithoutSplittingACharacter() {
    LineSplitter s = new LineSplitter(64, lines::add);
    String text = "ü".repeat(100) + "\n";
    feed(s, text.getBytes(StandardCharsets.UTF_8), 7);
    assertThat(String.join("", lines)).isEqualTo("ü".repeat(100));
    assertThat(lines).allSatisfy(l -> {
      assertThat(l.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64);
      assertThat(l).doesNotContain("\uFFFD");
    });
    assertThat(lines).hasSizeGreaterThan(1);
  }

  @Test
  void replacesMalformedBytesInsteadOfLosingTheLine() {
    LineSplitter s = new LineSplitter(1024, lines::add);
    feed(s, new byte[] {'a', (byte) 0xff, 'b', '\n', (byte) 0xc3}, 1);
    assertThat(lines).containsExactly("a\uFFFDb", "\uFFFD");
  }

  @Test
  void holdsAtMostOneLineOfAVeryLongOutput() {
    int[] count = {0};
    LineSplitter s = new LineSplitter(1024, l -> count[0]++);
    byte[] chunk = new byte[1 << 16];
    java.util.Arrays.fill(chunk, (byte) 'x');
    for (int i = 0; i < 160; i++) { // 10 MiB without a newline
      s.write(chunk, 0, chunk.length);
    }
    s.finish();
    assertThat(count[0]).isEqualTo(10 * 1024);
  }
}
