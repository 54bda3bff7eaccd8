package dev.rgrid.core.preparation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.BatchProgress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NotSubmittedTest {
  @Test
  void countsTheRefusedInputsAsFailedSoTheBatchEndsOnceTheRestHave() {
    // 5 inputs: 3 ended, 2 without an execution (the store counts them queued), both refused.
    BatchProgress stored = BatchProgress.of(5, 2, 0, 2, 1, 0, 0, 10, Duration.ofSeconds(4));
    assertThat(stored.done()).isFalse();

    BatchProgress own = NotSubmitted.countedAsFailed(stored, 2);

    assertThat(own.queued()).isZero();
    assertThat(own.failed()).isEqualTo(3);
    assertThat(own.succeeded()).isEqualTo(2);
    assertThat(own.costMicros()).isEqualTo(10);
    assertThat(own.done()).isTrue();
  }

  @Test
  void leavesAProgressWithoutRefusedInputsAsItIs() {
    BatchProgress stored = BatchProgress.of(3, 3, 0, 0, 0, 0, 0, 0, Duration.ZERO);
    assertThat(NotSubmitted.countedAsFailed(stored, 0)).isSameAs(stored);
  }

  @Test
  void neverMovesMoreThanAreQueuedNorANegativeNumber() {
    BatchProgress stored = BatchProgress.of(4, 1, 1, 2, 0, 0, 0, 0, Duration.ZERO);
    BatchProgress own = NotSubmitted.countedAsFailed(stored, 3);
    assertThat(own.queued()).isZero();
    assertThat(own.failed()).isEqualTo(1);
    assertThatThrownBy(() -> NotSubmitted.countedAsFailed(stored, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
