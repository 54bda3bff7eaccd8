package dev.rgrid.server.internal;

import dev.rgrid.core.Accounts;
import dev.rgrid.spi.account.AccountId;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Authenticates every API request by its {@code Authorization: Bearer <key>} header and puts the
 * caller's account on the routing context. Anything else (no header, another scheme, a malformed,
 * unknown, revoked or wrong key) is the same 401, so a caller learns nothing from the difference.
 *
 * <p>A key the store accepted is trusted for a while without asking again ({@link KeyCache}), so
 * most requests need no blocking call here at all. Two ways to use it:
 * <ul>
 *   <li>as a handler ({@link #handle}) in front of a handler that reads the body, uploads or
 *       upgrades: the key is settled before anything of the body is read, and the request is
 *       passed on paused;</li>
 *   <li>{@link #deferring()} then {@link #verified} around the work of a route that blocks
 *       anyway: a key that is not cached is checked on the worker thread of the work, one hop for
 *       both.</li>
 * </ul>
 */
public final class Auth implements Handler<RoutingContext> {
  private static final String ACCOUNT = "rgrid.account";
  private static final String PRESENTED = "rgrid.presented-key";
  private final Accounts accounts;
  private final KeyCache cache;

  /** Trusts a verified key for {@code keyCacheTtl} ({@link Duration#ZERO}: never). */
  public Auth(Accounts accounts, Duration keyCacheTtl) {
    this(accounts, keyCacheTtl, System::nanoTime);
  }

  Auth(Accounts accounts, Duration keyCacheTtl, LongSupplier nanoTime) {
    this.accounts = accounts;
    this.cache = new KeyCache(keyCacheTtl, nanoTime);
  }

  /** The authenticated caller of a request this handler passed. */
  public static AccountId account(RoutingContext ctx) {
    AccountId id = ctx.get(ACCOUNT);
    if (id == null) {
      throw new IllegalStateException("route reached without authentication");
    }
    return id;
  }

  /** Whether the request's key was checked and accepted. */
  static boolean authenticated(RoutingContext ctx) {
    return ctx.get(ACCOUNT) != null;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String key = presented(ctx);
    if (key == null) {
      Errors.send(ctx, unauthorized());
      return;
    }
    // Nothing of the body is read before the key is settled: an anonymous body is refused
    // unread. The next handler resumes the request when it reads the body (or upgrades it).
    if (!ctx.request().isEnded()) {
      ctx.request().pause();
      ctx.put(UnreadBody.PAUSED, true);
    }
    String digest = cache.enabled() ? KeyCache.digest(key) : null;
    AccountId cached = digest == null ? null : cache.find(digest);
    if (cached != null) {
      ctx.put(ACCOUNT, cached);
      ctx.next();
      return;
    }
    ctx.vertx().executeBlocking(() -> verify(key, digest), false).onComplete(result -> {
      if (result.failed()) {
        Errors.send(ctx, result.cause());
      } else if (result.result().isEmpty()) {
        Errors.send(ctx, unauthorized());
      } else {
        ctx.put(ACCOUNT, result.result().get());
        ctx.next();
      }
    });
  }

  /**
   * The first half of authentication for a route whose work blocks and reads no body: a missing
   * key is refused here, a cached one accepted; any other is left to {@link #verified}, on the
   * work's worker thread. (A request that announces a body anyway is settled here, as by {@link
   * #handle}.)
   */
  public Handler<RoutingContext> deferring() {
    return ctx -> {
      String key = presented(ctx);
      if (key == null) {
        Errors.send(ctx, unauthorized());
        return;
      }
      if (UnreadBody.expected(ctx.request())) {
        handle(ctx);
        return;
      }
      AccountId cached = cache.enabled() ? cache.find(KeyCache.digest(key)) : null;
      if (cached != null) {
        ctx.put(ACCOUNT, cached);
      } else {
        ctx.put(PRESENTED, key);
      }
      ctx.next();
    };
  }

  /**
   * The second half, on a worker thread: {@code work} runs once the key left by {@link
   * #deferring()} is verified; a key the store refuses is a 401 (thrown, for the route's
   * failure handling).
   */
  public Handler<RoutingContext> verified(Handler<RoutingContext> work) {
    return ctx -> {
      if (!authenticated(ctx)) {
        String key = ctx.get(PRESENTED);
        if (key == null) {
          throw new IllegalStateException("route reached without authentication");
        }
        ctx.remove(PRESENTED);
        AccountId account = verify(key, cache.enabled() ? KeyCache.digest(key) : null)
            .orElseThrow(Auth::unauthorized);
        ctx.put(ACCOUNT, account);
      }
      work.handle(ctx);
    };
  }

  /** Asks the store (blocking); remembers a key it accepts. */
  private Optional<AccountId> verify(String key, String digest) {
    Optional<AccountId> account = accounts.authenticate(key);
    if (account.isPresent() && digest != null) {
      cache.remember(digest, account.get());
    }
    return account;
  }

  /** The key of a {@code Bearer} header, or null. */
  private static String presented(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim() : null;
    return key == null || key.isEmpty() ? null : key;
  }

  static void resume(RoutingContext ctx) {
    if (!ctx.request().isEnded()) {
      ctx.request().resume();
    }
  }

  private static ApiException unauthorized() {
    return new ApiException(401, "unauthorized", "a valid API key is required",
        "send the header 'Authorization: Bearer <key>'; `rgrid admin key create` makes one");
  }
}
