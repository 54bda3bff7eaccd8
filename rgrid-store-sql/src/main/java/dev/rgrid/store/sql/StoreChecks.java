package dev.rgrid.store.sql;

import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.ExecutionStore;
import dev.rgrid.spi.store.LimitSetting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The rules of the store SPI that do not depend on the database: argument checks (with the
 * messages the contract kit expects), the compare-and-set step of {@link ExecutionStore#update},
 * and the text form of a limit's thresholds.
 */
public final class StoreChecks {
  /** The most cache entries one listing returns; a larger request is a mistake, not a big cache. */
  public static final int MAX_CACHE_LISTING = 100_000;

  private static final Pattern MONTH = Pattern.compile("[0-9]{4}-(0[1-9]|1[0-2])");

  private StoreChecks() {}

  /**
   * {@code change} applied to {@code current}, provided its status is one of {@code expected}
   * and the change keeps its id, spec and creation time.
   *
   * @throws ConflictException when the status is not one of {@code expected}
   * @throws IllegalArgumentException when the change returns null or alters what it may not
   */
  public static ExecutionRecord applyChange(ExecutionRecord current,
      Set<ExecutionStatus> expected, UnaryOperator<ExecutionRecord> change) {
    if (!expected.contains(current.status())) {
      throw new ConflictException("execution " + current.id() + " is " + current.status()
          + ", not " + expected);
    }
    ExecutionRecord next = change.apply(current);
    if (next == null) {
      throw new IllegalArgumentException("the change to execution " + current.id()
          + " returned null");
    }
    if (!next.id().equals(current.id()) || !next.createdAt().equals(current.createdAt())
        || !next.spec().equals(current.spec())) {
      throw new IllegalArgumentException("a change to execution " + current.id()
          + " may not alter its id, spec or creation time");
    }
    return next;
  }

  /**
   * Checks the size of a page of log lines.
   *
   * @throws IllegalArgumentException when {@code limit} is negative
   */
  public static void requireLogLimit(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
  }

  /**
   * Checks the arguments of a claim on a queue (see {@link
   * dev.rgrid.spi.queue.ExecutionQueue#claim}).
   *
   * @throws IllegalArgumentException when {@code max} is below 1
   */
  public static void requireClaim(WorkerId worker, int max, Instant now, Duration lease) {
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(lease, "lease");
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
  }

  /**
   * Checks the arguments of {@link AccountStore#rememberIdempotent}.
   *
   * @throws IllegalArgumentException when {@code key} is not an idempotency key
   */
  public static void requireIdempotent(AccountId account, String key, ExecutionId execution,
      Instant at, Instant notBefore) {
    Objects.requireNonNull(account, "account");
    AccountStore.checkIdempotencyKey(key);
    Objects.requireNonNull(execution, "execution");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(notBefore, "notBefore");
  }

  /**
   * Checks a cache key passed to the store.
   *
   * @throws IllegalArgumentException when {@code key} is not a {@linkplain CacheEntry#isKey key}
   */
  public static void requireCacheKey(String key) {
    Objects.requireNonNull(key, "key");
    if (!CacheEntry.isKey(key)) {
      throw new IllegalArgumentException("not a cache key: '" + abbreviate(key)
          + "' (expected 64 lowercase hex digits, a sha256)");
    }
  }

  /**
   * Copies {@code keys} for a removal, each checked.
   *
   * @throws NullPointerException when {@code keys} or one of them is null
   * @throws IllegalArgumentException when one is not a {@linkplain CacheEntry#isKey key}
   */
  public static List<String> requireCacheKeys(Collection<String> keys) {
    Objects.requireNonNull(keys, "keys");
    List<String> all = List.copyOf(keys); // also rejects null elements
    all.forEach(StoreChecks::requireCacheKey);
    return all;
  }

  /**
   * Checks the size of a listing of cache entries.
   *
   * @throws IllegalArgumentException when {@code limit} is not from 1 to {@link
   *     #MAX_CACHE_LISTING}
   */
  public static void requireCacheListing(int limit) {
    if (limit < 1 || limit > MAX_CACHE_LISTING) {
      throw new IllegalArgumentException("cache entry limit must be between 1 and "
          + MAX_CACHE_LISTING + ", was " + limit);
    }
  }

  /**
   * Checks the month and threshold of a limit alert.
   *
   * @throws IllegalArgumentException when {@code month} is not {@code YYYY-MM} or {@code
   *     threshold} not a percentage from 1 to 100
   */
  public static void requireAlert(String month, int threshold) {
    if (month == null || !MONTH.matcher(month).matches()) {
      throw new IllegalArgumentException("not a month (YYYY-MM): '" + month + "'");
    }
    if (threshold < 1 || threshold > 100) {
      throw new IllegalArgumentException("a threshold is a percentage from 1 to 100, was "
          + threshold);
    }
  }

  /** The thresholds of {@code limit} as {@code t1,t2,...}: plain text, readable by hand. */
  public static String thresholdsText(LimitSetting limit) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < limit.thresholdsPercent().size(); i++) {
      sb.append(i == 0 ? "" : ",").append(limit.thresholdsPercent().get(i));
    }
    return sb.toString();
  }

  /**
   * The thresholds in {@code text}, as {@link #thresholdsText} writes them.
   *
   * @throws NumberFormatException when a threshold is not a number
   */
  public static List<Integer> thresholds(String text) {
    List<Integer> thresholds = new ArrayList<>();
    for (String t : text.split(",")) {
      if (!t.isBlank()) {
        thresholds.add(Integer.parseInt(t.trim()));
      }
    }
    return thresholds;
  }

  /** Keeps a message one line and short when a caller passes a huge or multi-line string. */
  private static String abbreviate(String text) {
    String line = text.replaceAll("\\p{Cntrl}", "?");
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }
}
