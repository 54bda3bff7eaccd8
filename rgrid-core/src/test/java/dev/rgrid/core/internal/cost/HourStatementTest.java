package dev.rgrid.core.internal.cost;

import static dev.rgrid.core.internal.cost.BillingHoursSplitTest.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HourStatementTest {
  private static final Instant S = Instant.parse("2026-11-01T10:00:00Z");
  private static final Instant E = S.plusSeconds(3600);

  @Test
  void refusesSharesThatDoNotAddUpToThePrice() {
    assertThatThrownBy(() -> new HourStatement(0, S, E, 10, Map.of(id(0), 9L), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("add up to 9, not 10");
    assertThatThrownBy(() -> new HourStatement(0, S, E, 10, Map.of(id(0), 11L, id(1), -1L), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HourStatement(0, S, E, 10, Map.of(), 11))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HourStatement(0, E, S, 0, Map.of(), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keepsItsOwnSortedCopyOfTheShares() {
    Map<dev.rgrid.spi.ExecutionId, Long> shares = new HashMap<>();
    shares.put(id(1), 4L);
    shares.put(id(0), 6L);
    HourStatement hour = new HourStatement(0, S, E, 10, shares, 0);
    shares.clear();
    assertThat(hour.shares()).containsExactly(Map.entry(id(0), 6L), Map.entry(id(1), 4L));
    assertThat(hour.idle()).isFalse();
    assertThatThrownBy(() -> hour.shares().clear()).isInstanceOf(UnsupportedOperationException.class);
  }
}
