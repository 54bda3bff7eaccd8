package dev.rgrid.server.internal;

import dev.rgrid.spi.account.AccountId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The console's sign-in sessions, in this server's memory: a random id (the cookie's value)
 * names the API key it was opened with and a CSRF token. The key stays on the server and is
 * verified again on every request, as a {@code Bearer} key is (through the same cache), so a
 * revoked key ends its sessions as soon as it stops being accepted.
 *
 * <p>Sessions end after a fixed lifetime, on sign-out, or when the server restarts; a server that
 * holds {@code max} of them forgets the oldest to open another. Several server instances behind
 * one address need the load balancer to keep a browser on the same one (sticky sessions).
 */
public final class Sessions {
  /** The cookie that carries the session id. */
  public static final String COOKIE = "rgrid_session";
  /** The header that carries the CSRF token of state-changing calls. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  private static final Base64.Encoder TOKEN = Base64.getUrlEncoder().withoutPadding();
  private final SecureRandom random = new SecureRandom();
  private final Duration lifetime;
  private final int max;
  private final LongSupplier nanoTime;
  private final Map<String, Session> open = new LinkedHashMap<>();

  /**
   * One signed-in browser.
   *
   * @param id the cookie's value
   * @param key the API key it signed in with
   * @param account the key's account when it signed in
   * @param csrfToken what its state-changing calls must send in {@value #CSRF_HEADER}
   */
  public record Session(String id, String key, AccountId account, String csrfToken,
      long expiresAtNanos) {
    /** Names the account only: the key, the id and the token never reach a log. */
    @Override
    public String toString() {
      return "Session[account=" + account + "]";
    }

    /** Whether {@code presented} is this session's CSRF token (in constant time). */
    public boolean csrfMatches(String presented) {
      return presented != null && MessageDigest.isEqual(
          presented.getBytes(StandardCharsets.UTF_8), csrfToken.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Sessions that last {@code lifetime}, at most {@code max} at a time. */
  public Sessions(Duration lifetime, int max) {
    this(lifetime, max, System::nanoTime);
  }

  Sessions(Duration lifetime, int max, LongSupplier nanoTime) {
    if (lifetime.isNegative() || lifetime.isZero() || max < 1) {
      throw new IllegalArgumentException("a session lifetime must be positive and the most "
          + "sessions at least 1, were " + lifetime + " and " + max);
    }
    this.lifetime = lifetime;
    this.max = max;
    this.nanoTime = nanoTime;
  }

  /** How long a session lasts. */
  public Duration lifetime() {
    return lifetime;
  }

  /** Opens a session for a key the store accepted. */
  public synchronized Session open(String key, AccountId account) {
    long now = nanoTime.getAsLong();
    prune(now);
    while (open.size() >= max) {
      Iterator<String> oldest = open.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    Session s = new Session(token(), key, account, token(), now + lifetime.toNanos());
    open.put(s.id(), s);
    return s;
  }

  /** The live session with this id. */
  public synchronized Optional<Session> find(String id) {
    Session s = id == null ? null : open.get(id);
    if (s == null) {
      return Optional.empty();
    }
    if (nanoTime.getAsLong() - s.expiresAtNanos() >= 0) {
      open.remove(id);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  /** Ends the session with this id, if there is one. */
  public synchronized void close(String id) {
    if (id != null) {
      open.remove(id);
    }
  }

  /** How many sessions are open (expired ones not yet noticed included). */
  synchronized int size() {
    return open.size();
  }

  /** Forgets expired sessions; in opening order, so the first live one stops the walk. */
  private void prune(long now) {
    Iterator<Session> it = open.values().iterator();
    while (it.hasNext()) {
      if (now - it.next().expiresAtNanos() < 0) {
        return;
      }
      it.remove();
    }
  }

  private String token() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return TOKEN.encodeToString(bytes);
  }
}
