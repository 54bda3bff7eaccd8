package dev.rgrid.spi.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.store.RetryPolicy.Jitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  /** Always the lowest value a bounded draw can give. */
  private static final RandomGenerator LOWEST = new RandomGenerator() {
    @Override
    public long nextLong() {
      return 0;
    }

    @Override
    public long nextLong(long bound) {
      return 0;
    }
  };

  /** Always the highest value a bounded draw can give. */
  private static final RandomGenerator HIGHEST = new RandomGenerator() {
    @Override
    public long nextLong() {
      return -1;
    }

    @Override
    public long nextLong(long bound) {
      return bound - 1;
    }
  };

  private static final RetryPolicy EXACT = RetryPolicy.defaults().withJitter(Jitter.NONE);

  private static List<Duration> delays(RetryPolicy policy, int count, RandomGenerator random) {
    List<Duration> delays = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      delays.add(policy.delayBefore(n, random));
    }
    return delays;
  }

  @Test
  void defaultsRetryTransientFailuresTwiceWithEqualJitter() {
    RetryPolicy policy = RetryPolicy.defaults();
    assertThat(policy.maxRetries()).isEqualTo(2);
    assertThat(policy.maxAttempts()).isEqualTo(3);
    assertThat(policy.initialDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.multiplier()).isEqualTo(2.0);
    assertThat(policy.maxDelay()).isEqualTo(Duration.ofMinutes(5));
    assertThat(policy.jitter()).isEqualTo(Jitter.EQUAL);
    assertThat(policy.retryOn()).containsExactlyInAnyOrder(FailureKind.START_FAILED,
        FailureKind.WORKER_LOST, FailureKind.BACKEND_UNAVAILABLE);
    assertThat(policy.retryOn()).allMatch(FailureKind::isTransient);
  }

  @Test
  void retriesListedKindsUntilTheRetriesAreUsedUp() {
    RetryPolicy policy = RetryPolicy.defaults();
    assertThat(policy.retries(FailureKind.WORKER_LOST, 1)).isTrue();
    assertThat(policy.retries(FailureKind.WORKER_LOST, 2)).isTrue();
    assertThat(policy.retries(FailureKind.WORKER_LOST, 3)).isFalse();
    assertThat(policy.retries(FailureKind.SCRIPT_EXIT, 1)).isFalse();
    assertThat(policy.retries(FailureKind.TIMEOUT, 1)).isFalse();
    assertThat(policy.withRetryOn(Set.of(FailureKind.TIMEOUT)).retries(FailureKind.TIMEOUT, 1))
        .isTrue();
    assertThatThrownBy(() -> policy.retries(FailureKind.WORKER_LOST, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("attemptsSoFar");
  }

  @Test
  void noneNeverRetries() {
    RetryPolicy none = RetryPolicy.none();
    assertThat(none.maxRetries()).isZero();
    for (FailureKind kind : FailureKind.values()) {
      assertThat(none.retries(kind, 1)).as(kind.code()).isFalse();
    }
    assertThat(none.withMaxRetries(1).retries(FailureKind.START_FAILED, 1)).isTrue();
  }

  @Test
  void delaysGrowExponentiallyUpToTheCap() {
    assertThat(delays(EXACT, 10, new SplittableRandom(1))).extracting(Duration::toSeconds)
        .containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 300L);
    RetryPolicy gentle = EXACT.withInitialDelay(Duration.ofMillis(100)).withMultiplier(1.5)
        .withMaxDelay(Duration.ofMillis(400));
    assertThat(delays(gentle, 5, new SplittableRandom(1))).extracting(Duration::toMillis)
        .containsExactly(100L, 150L, 225L, 337L, 400L);
    assertThat(delays(EXACT.withMultiplier(1.0), 3, new SplittableRandom(1)))
        .containsOnly(Duration.ofSeconds(1));
  }

  @Test
  void equalJitterWaitsBetweenHalfAndAllOfTheBase() {
    RetryPolicy policy = RetryPolicy.defaults();
    assertThat(delays(policy, 4, LOWEST)).extracting(Duration::toMillis)
        .containsExactly(500L, 1_000L, 2_000L, 4_000L);
    assertThat(delays(policy, 4, HIGHEST)).extracting(Duration::toMillis)
        .containsExactly(1_000L, 2_000L, 4_000L, 8_000L);
    List<Duration> drawn = delays(policy, 12, new SplittableRandom(42));
    List<Duration> exact = delays(EXACT, 12, LOWEST);
    for (int i = 0; i < drawn.size(); i++) {
      assertThat(drawn.get(i)).isBetween(exact.get(i).dividedBy(2), exact.get(i));
    }
    assertThat(drawn).isNotEqualTo(exact);
  }

  @Test
  void fullJitterWaitsBetweenZeroAndTheBase() {
    RetryPolicy policy = RetryPolicy.defaults().withJitter(Jitter.FULL);
    assertThat(delays(policy, 3, LOWEST)).containsOnly(Duration.ZERO);
    assertThat(delays(policy, 3, HIGHEST)).extracting(Duration::toMillis)
        .containsExactly(1_000L, 2_000L, 4_000L);
  }

  @Test
  void theSameSeedGivesTheSameDelays() {
    RetryPolicy policy = RetryPolicy.defaults().withMaxRetries(10);
    assertThat(delays(policy, 10, new SplittableRandom(7)))
        .isEqualTo(delays(policy, 10, new SplittableRandom(7)))
        .isNotEqualTo(delays(policy, 10, new SplittableRandom(8)));
  }

  @Test
  void hugeRetryNumbersAndMultipliersSaturateAtTheCapWithoutOverflow() {
    assertThat(EXACT.delayBefore(1_000, LOWEST)).isEqualTo(Duration.ofMinutes(5));
    assertThat(EXACT.delayBefore(Integer.MAX_VALUE, LOWEST)).isEqualTo(Duration.ofMinutes(5));
    RetryPolicy steep = EXACT.withMultiplier(1e300).withMaxDelay(Duration.ofHours(24));
    assertThat(steep.delayBefore(2, LOWEST)).isEqualTo(Duration.ofHours(24));
    assertThat(steep.delayBefore(1_000, LOWEST)).isEqualTo(Duration.ofHours(24));
    for (Jitter jitter : Jitter.values()) {
      RetryPolicy policy = RetryPolicy.defaults().withJitter(jitter);
      SplittableRandom random = new SplittableRandom(5);
      for (int n = 1; n <= 1_000; n++) {
        assertThat(policy.delayBefore(n, random)).as("%s retry %d", jitter, n)
            .isBetween(Duration.ZERO, Duration.ofMinutes(5));
      }
    }
  }

  @Test
  void rejectsRetryNumbersBelowOne() {
    assertThatThrownBy(() -> EXACT.delayBefore(0, LOWEST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retryNumber must be at least 1, got 0");
  }

  @Test
  void rejectsOutOfRangeValuesWithClearMessages() {
    RetryPolicy d = RetryPolicy.defaults();
    assertThatThrownBy(() -> d.withMaxRetries(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRetries must be from 0 to 100, got -1");
    assertThatThrownBy(() -> d.withMaxRetries(101)).hasMessage(
        "maxRetries must be from 0 to 100, got 101");
    assertThatThrownBy(() -> d.withMultiplier(0.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("multiplier must be a finite number of at least 1, got 0.5");
    assertThatThrownBy(() -> d.withMultiplier(Double.NaN)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> d.withMultiplier(Double.POSITIVE_INFINITY))
        .hasMessageContaining("Infinity");
    assertThatThrownBy(() -> d.withInitialDelay(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialDelay must be positive, got PT0S");
    assertThatThrownBy(() -> d.withInitialDelay(Duration.ofSeconds(-1)))
        .hasMessage("initialDelay must be positive, got PT-1S");
    assertThatThrownBy(() -> d.withMaxDelay(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDelay (PT0.01S) must not be shorter than initialDelay (PT1S)");
    assertThatThrownBy(() -> d.withMaxDelay(Duration.ofDays(2)))
        .hasMessage("maxDelay must be at most 24 hours, got PT48H");
    assertThatThrownBy(() -> d.withRetryOn(Set.of(FailureKind.CANCELLED)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CANCELLED");
    assertThatThrownBy(() -> d.withJitter(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void copiesChangeOneValueAndKeepRetryOnImmutable() {
    EnumSet<FailureKind> kinds = EnumSet.of(FailureKind.TIMEOUT);
    RetryPolicy policy = RetryPolicy.defaults().withRetryOn(kinds).withMaxRetries(5);
    kinds.add(FailureKind.SCRIPT_EXIT);
    assertThat(policy.retryOn()).containsExactly(FailureKind.TIMEOUT);
    assertThatThrownBy(() -> policy.retryOn().add(FailureKind.INTERNAL))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(policy.withRetryOn(Set.of())).satisfies(p -> {
      assertThat(p.retryOn()).isEmpty();
      assertThat(p.retries(FailureKind.TIMEOUT, 1)).isFalse();
    });
    assertThat(policy).isEqualTo(new RetryPolicy(5, Duration.ofSeconds(1), 2.0,
        Duration.ofMinutes(5), Set.of(FailureKind.TIMEOUT), Jitter.EQUAL));
  }

  @Test
  void parsesTheRetriesOption() {
    assertThat(RetryPolicy.parseRetries("0")).isZero();
    assertThat(RetryPolicy.parseRetries("100")).isEqualTo(100);
    assertThat(RetryPolicy.parseRetries(" 3 ")).isEqualTo(3);
    assertThat(RetryPolicy.parseRetries("+2")).isEqualTo(2);
    assertThat(RetryPolicy.parseRetries("007")).isEqualTo(7);
  }

  @Test
  void rejectsMalformedOrOutOfRangeRetries() {
    for (String bad : List.of("-1", "101", "99999999999999999999")) {
      assertThatThrownBy(() -> RetryPolicy.parseRetries(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--retries must be from 0 to 100, not " + bad);
    }
    for (String bad : List.of("abc", "", "1.5", "2x", "\u0663", "0x10")) {
      assertThatThrownBy(() -> RetryPolicy.parseRetries(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--retries takes a whole number from 0 to 100, not '" + bad + "'");
    }
    assertThatThrownBy(() -> RetryPolicy.parseRetries(null))
        .hasMessage("--retries takes a whole number from 0 to 100, not ''");
  }
}
