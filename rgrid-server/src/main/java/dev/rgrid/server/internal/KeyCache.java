package dev.rgrid.server.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * API keys this server verified lately, so that a busy client costs a store read per key and
 * TTL rather than per request. Only a key the store accepted goes in (an unknown or wrong key is
 * never remembered, so nobody can fill this with guesses), under the SHA-256 of the whole
 * presented key (the secret itself is never kept), and at most {@link #MAX_KEYS} of them. The
 * price: a revoked key keeps working on this server until its entry expires.
 *
 * <p>Looking a digest up is no timing oracle: learning that some stored digest shares a prefix
 * with the digest of a guess tells nothing about a key that would match it.
 */
final class KeyCache {
  /** At most this many keys; as many as an installation has active keys in practice. */
  static final int MAX_KEYS = 10_000;

  private record Entry(Caller caller, long expiresAt) {}

  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /** Keys trusted for {@code ttl} ({@link Duration#ZERO}: never), timed by {@code nanoTime}. */
  KeyCache(Duration ttl, LongSupplier nanoTime) {
    this.ttlNanos = ttl.isZero() ? 0 : Math.max(1, saturatedNanos(ttl));
    this.nanoTime = nanoTime;
  }

  /** Whether it remembers anything at all. */
  boolean enabled() {
    return ttlNanos > 0;
  }

  /** The digest a presented key is remembered under. */
  static String digest(String presented) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(presented.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** The caller of the key with this digest, verified less than a TTL ago; else null. */
  Caller find(String digest) {
    if (!enabled()) {
      return null;
    }
    Entry e = entries.get(digest);
    if (e == null) {
      return null;
    }
    if (nanoTime.getAsLong() - e.expiresAt() >= 0) {
      entries.remove(digest, e);
      return null;
    }
    return e.caller();
  }

  /** Remembers a key the store has just accepted, for one TTL from now. */
  void remember(String digest, Caller caller) {
    if (!enabled()) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (entries.size() >= MAX_KEYS && !entries.containsKey(digest)) {
      entries.values().removeIf(e -> now - e.expiresAt() >= 0);
      // Still full of live keys (more active keys than the bound): let one go. It is verified
      // again on its next use, nothing worse.
      Iterator<String> any = entries.keySet().iterator();
      while (entries.size() >= MAX_KEYS && any.hasNext()) {
        any.next();
        any.remove();
      }
    }
    entries.put(digest, new Entry(caller, now + ttlNanos));
  }

  /** How many keys it holds (expired ones not yet dropped included). */
  int size() {
    return entries.size();
  }

  /** At most about 146 years (never, for a process), so that expiry arithmetic cannot wrap. */
  private static long saturatedNanos(Duration d) {
    long max = Long.MAX_VALUE / 2;
    return d.compareTo(Duration.ofNanos(max)) >= 0 ? max : d.toNanos();
  }
}
