package dev.rgrid.spi.store;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * When and after how long a failed execution is run again. {@link #defaults()} retries the
 * failures a retry can cure ({@link FailureKind#isTransient()}: the container did not start, the
 * worker was lost, a backend was unreachable) twice, waiting about 1 s and then about 2 s;
 * {@link #none()} never retries. Derive changed copies with the {@code with…} methods.
 *
 * <p>The wait before retry {@code n} grows exponentially, {@code initialDelay × multiplier^(n-1)},
 * capped at {@code maxDelay}, and is then spread by {@link #jitter()} so that a thousand inputs
 * of a batch that failed together (a backend restart) do not all come back at the same instant.
 *
 * @param maxRetries how many times one execution may be retried, 0 to {@value #MAX_RETRIES}; it
 *     runs at most {@code maxRetries + 1} times
 * @param initialDelay the wait before the first retry, before jitter; positive
 * @param multiplier how much the wait grows with each retry; at least 1, finite
 * @param maxDelay the longest wait, before jitter, at least {@code initialDelay} and at most
 *     {@value #MAX_DELAY_HOURS} hours
 * @param retryOn the failure kinds that are retried; never {@link FailureKind#CANCELLED}
 * @param jitter how the wait is randomised
 */
public record RetryPolicy(
    int maxRetries,
    Duration initialDelay,
    double multiplier,
    Duration maxDelay,
    Set<FailureKind> retryOn,
    Jitter jitter) {

  /** The most retries a policy may allow. */
  public static final int MAX_RETRIES = 100;

  /** The longest {@link #maxDelay()}, in hours: a wait beyond a day is a stuck batch. */
  public static final int MAX_DELAY_HOURS = 24;

  /** How the exponential wait {@code base} is randomised. */
  public enum Jitter {
    /** Exactly {@code base}: predictable, but failures that happened together retry together. */
    NONE,
    /**
     * {@code base/2 + random(0, base/2)}: waits at least half of {@code base}, so a struggling
     * backend always gets a pause, while spreading retries over the other half. The default.
     */
    EQUAL,
    /** {@code random(0, base)}: spreads retries the most, but may retry almost at once. */
    FULL
  }

  /** Checks the values and makes {@code retryOn} an unmodifiable copy. */
  public RetryPolicy {
    if (maxRetries < 0 || maxRetries > MAX_RETRIES) {
      throw new IllegalArgumentException("maxRetries must be from 0 to " + MAX_RETRIES + ", got "
          + maxRetries);
    }
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(jitter, "jitter");
    if (initialDelay.isNegative() || initialDelay.isZero()) {
      throw new IllegalArgumentException("initialDelay must be positive, got " + initialDelay);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay (" + maxDelay
          + ") must not be shorter than initialDelay (" + initialDelay + ")");
    }
    if (maxDelay.compareTo(Duration.ofHours(MAX_DELAY_HOURS)) > 0) {
      throw new IllegalArgumentException("maxDelay must be at most " + MAX_DELAY_HOURS
          + " hours, got " + maxDelay);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) { // !(>=) also rejects NaN
      throw new IllegalArgumentException("multiplier must be a finite number of at least 1, got "
          + multiplier);
    }
    Objects.requireNonNull(retryOn, "retryOn");
    EnumSet<FailureKind> kinds = EnumSet.noneOf(FailureKind.class);
    for (FailureKind kind : retryOn) {
      kinds.add(Objects.requireNonNull(kind, "retryOn contains null"));
    }
    if (kinds.contains(FailureKind.CANCELLED)) {
      throw new IllegalArgumentException("retryOn must not contain CANCELLED: a cancelled "
          + "execution is never run again by itself");
    }
    retryOn = Collections.unmodifiableSet(kinds);
  }

  /**
   * Two retries of transient failures ({@link FailureKind#isTransient()}), 1 s then 2 s apart
   * (multiplier 2, at most 5 min), with {@link Jitter#EQUAL} jitter.
   */
  public static RetryPolicy defaults() {
    EnumSet<FailureKind> transientKinds = EnumSet.noneOf(FailureKind.class);
    for (FailureKind kind : FailureKind.values()) {
      if (kind.isTransient()) {
        transientKinds.add(kind);
      }
    }
    return new RetryPolicy(2, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), transientKinds,
        Jitter.EQUAL);
  }

  /** No retries; the other values are those of {@link #defaults()}. */
  public static RetryPolicy none() {
    return defaults().withMaxRetries(0);
  }

  /**
   * Whether an execution that failed with {@code kind} after {@code attemptsSoFar} runs should
   * run again.
   *
   * @param attemptsSoFar how many times it has run, including the one that just failed (from 1)
   */
  public boolean retries(FailureKind kind, int attemptsSoFar) {
    Objects.requireNonNull(kind, "kind");
    if (attemptsSoFar < 1) {
      throw new IllegalArgumentException("attemptsSoFar must be at least 1, got "
          + attemptsSoFar);
    }
    return retryOn.contains(kind) && attemptsSoFar <= maxRetries;
  }

  /** How many times an execution may run in all: {@code maxRetries + 1}. */
  public int maxAttempts() {
    return maxRetries + 1;
  }

  /**
   * How long to wait before retry number {@code retryNumber}: the exponential wait, capped at
   * {@link #maxDelay()}, then jittered. Never negative, never longer than {@link #maxDelay()},
   * and safe for any retry number (the growth saturates at the cap instead of overflowing).
   *
   * @param retryNumber 1 for the first retry (the second run), 2 for the next…
   * @param random the source of jitter; pass a seeded one for repeatable results
   */
  public Duration delayBefore(int retryNumber, RandomGenerator random) {
    if (retryNumber < 1) {
      throw new IllegalArgumentException("retryNumber must be at least 1, got " + retryNumber);
    }
    Objects.requireNonNull(random, "random");
    long cap = maxDelay.toNanos(); // fits: at most a day, ~8.6e13 ns
    // In double arithmetic the power becomes Infinity rather than wrapping, and Infinity (like
    // anything above the cap) is clamped before converting back to long.
    double grown = initialDelay.toNanos() * Math.pow(multiplier, retryNumber - 1.0);
    long base = grown >= cap ? cap : (long) grown;
    long nanos = switch (jitter) {
      case NONE -> base;
      case EQUAL -> base - base / 2 + random.nextLong(base / 2 + 1);
      case FULL -> random.nextLong(base + 1);
    };
    return Duration.ofNanos(nanos);
  }

  /**
   * Parses the value of the CLI's {@code --retries N}.
   *
   * @return the number of retries, 0 to {@value #MAX_RETRIES}
   * @throws IllegalArgumentException saying what is wrong with {@code text} and what is accepted
   */
  public static int parseRetries(String text) {
    String value = text == null ? "" : text.strip();
    if (!value.matches("[+-]?[0-9]+")) {
      throw new IllegalArgumentException("--retries takes a whole number from 0 to "
          + MAX_RETRIES + ", not '" + (text == null ? "" : text) + "'");
    }
    // Compare as text length first so "99999999999999999999" is out of range, not an overflow.
    String digits = value.replaceFirst("^[+-]", "").replaceFirst("^0+(?=.)", "");
    boolean negative = value.startsWith("-") && !digits.equals("0");
    if (negative || digits.length() > 3 || Integer.parseInt(digits) > MAX_RETRIES) {
      throw new IllegalArgumentException("--retries must be from 0 to " + MAX_RETRIES
          + ", not " + value);
    }
    return Integer.parseInt(digits);
  }

  /** A copy with another number of retries. */
  public RetryPolicy withMaxRetries(int value) {
    return new RetryPolicy(value, initialDelay, multiplier, maxDelay, retryOn, jitter);
  }

  /** A copy with another first wait (keep it within {@link #maxDelay()}). */
  public RetryPolicy withInitialDelay(Duration value) {
    return new RetryPolicy(maxRetries, value, multiplier, maxDelay, retryOn, jitter);
  }

  /** A copy with another growth factor. */
  public RetryPolicy withMultiplier(double value) {
    return new RetryPolicy(maxRetries, initialDelay, value, maxDelay, retryOn, jitter);
  }

  /** A copy with another longest wait. */
  public RetryPolicy withMaxDelay(Duration value) {
    return new RetryPolicy(maxRetries, initialDelay, multiplier, value, retryOn, jitter);
  }

  /** A copy that retries these failure kinds (for example permanent ones such as timeouts). */
  public RetryPolicy withRetryOn(Set<FailureKind> value) {
    return new RetryPolicy(maxRetries, initialDelay, multiplier, maxDelay, value, jitter);
  }

  /** A copy with another jitter. */
  public RetryPolicy withJitter(Jitter value) {
    return new RetryPolicy(maxRetries, initialDelay, multiplier, maxDelay, retryOn, value);
  }
}
