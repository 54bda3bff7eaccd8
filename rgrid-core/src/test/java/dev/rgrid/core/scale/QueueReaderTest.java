package dev.rgrid.core.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueReaderTest {
  @Test
  void theP95IsTheNearestRankAndZeroOfNothing() {
    assertThat(QueueReader.p95(List.of())).isEqualTo(Duration.ZERO);
    List<Duration> hundred = new java.util.ArrayList<>();
    for (int i = 100; i >= 1; i--) {
      hundred.add(Duration.ofSeconds(i));
    }
    assertThat(QueueReader.p95(hundred)).isEqualTo(Duration.ofSeconds(95));
    assertThat(QueueReader.p95(List.of(Duration.ofSeconds(7)))).isEqualTo(Duration.ofSeconds(7));
  }
}
