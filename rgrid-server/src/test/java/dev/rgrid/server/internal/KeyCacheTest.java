package dev.rgrid.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.account.AccountId;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The verified-key cache on a hand-moved clock. */
class KeyCacheTest {
  private final AtomicLong now = new AtomicLong(-5_000_000_000L); // nanoTime may be negative
  private final Caller alice =
      new Caller(AccountId.generate(Instant.EPOCH, new SecureRandom()), false);

  @Test
  void trustsAKeyForTheTtlAndNotOneNanosecondLonger() {
    KeyCache cache = new KeyCache(Duration.ofSeconds(10), now::get);
    String digest = KeyCache.digest("rgk_0123456789ab_secret");
    cache.remember(digest, alice);
    now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
    assertThat(cache.find(digest)).isEqualTo(alice);
    now.incrementAndGet();
    assertThat(cache.find(digest)).isNull();
    assertThat(cache.size()).as("an expired entry is dropped when found").isZero();
  }

  @Test
  void aZeroTtlRemembersNothing() {
    KeyCache cache = new KeyCache(Duration.ZERO, now::get);
    String digest = KeyCache.digest("rgk_0123456789ab_secret");
    cache.remember(digest, alice);
    assertThat(cache.enabled()).isFalse();
    assertThat(cache.find(digest)).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void holdsAtMostItsBoundDroppingExpiredKeysFirst() {
    KeyCache cache = new KeyCache(Duration.ofSeconds(10), now::get);
    for (int i = 0; i < KeyCache.MAX_KEYS + 500; i++) {
      cache.remember(KeyCache.digest("key-" + i), alice);
    }
    assertThat(cache.size()).isEqualTo(KeyCache.MAX_KEYS);
    String last = KeyCache.digest("key-" + (KeyCache.MAX_KEYS + 499));
    assertThat(cache.find(last)).as("the newest key is kept").isEqualTo(alice);
    now.addAndGet(Duration.ofSeconds(11).toNanos());
    cache.remember(KeyCache.digest("fresh"), alice);
    assertThat(cache.size()).as("the expired ones made room").isEqualTo(1);
  }

  @Test
  void aHugeTtlNeitherOverflowsNorExpires() {
    KeyCache cache = new KeyCache(Duration.ofSeconds(Long.MAX_VALUE), now::get);
    now.set(Long.MAX_VALUE - 10); // expiry arithmetic wraps here if unbounded
    String digest = KeyCache.digest("k");
    cache.remember(digest, alice);
    now.addAndGet(Duration.ofDays(365).toNanos());
    assertThat(cache.find(digest)).isEqualTo(alice);
  }

  @Test
  void keysAreRememberedByADigestThatDoesNotHoldThem() {
    String key = "rgk_0123456789ab_" + "S".repeat(43);
    String digest = KeyCache.digest(key);
    assertThat(digest).matches("[0-9a-f]{64}"); // hex of SHA-256: none of the key's text
    assertThat(KeyCache.digest(key + "x")).isNotEqualTo(digest);
  }
}
