package dev.rgrid.server.internal;

import dev.rgrid.core.Accounts;
import dev.rgrid.spi.account.AccountId;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Authenticates every API request by its {@code Authorization: Bearer <key>} header, or else by
 * the console's session cookie ({@link Sessions}), and puts the caller's account on the routing
 * context. Anything else (no header, another scheme, a malformed, unknown, revoked or wrong key,
 * an unknown or expired session) is the same 401, so a caller learns nothing from the difference.
 *
 * <p>A browser sends the cookie by itself, whichever page made the request, so a request
 * authenticated by it must also show it comes from the console: a state-changing method needs
 * the session's CSRF token in {@value Sessions#CSRF_HEADER} (which another origin can neither
 * read nor set), and a request whose {@code Origin} is another host (a WebSocket handshake
 * included) is refused. A {@code Bearer} caller is not concerned: no browser adds that header on
 * its own.
 *
 * <p>A read-only key (and a session opened with one) may read everything of its account and
 * change nothing: every method but GET, HEAD and OPTIONS is refused here with a 403, once for
 * every route, before the route's work or body. Only routes that change nothing of the account
 * whatever their method (signing out, refusing an unknown route) take {@link #readOnlyAllowed()}.
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
  private static final String CALLER = "rgrid.caller";
  private static final String PRESENTED = "rgrid.presented-key";
  private static final String SESSION = "rgrid.session";
  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD,
      HttpMethod.OPTIONS);
  private final Accounts accounts;
  private final KeyCache cache;
  private final Sessions sessions;
  private final boolean readOnlyRule;

  /**
   * Trusts a verified key for {@code keyCacheTtl} ({@link Duration#ZERO}: never); takes the
   * cookies of {@code sessions} as well as keys.
   */
  public Auth(Accounts accounts, Duration keyCacheTtl, Sessions sessions) {
    this(accounts, keyCacheTtl, sessions, System::nanoTime);
  }

  Auth(Accounts accounts, Duration keyCacheTtl, Sessions sessions, LongSupplier nanoTime) {
    this(accounts, new KeyCache(keyCacheTtl, nanoTime), sessions, true);
  }

  private Auth(Accounts accounts, KeyCache cache, Sessions sessions, boolean readOnlyRule) {
    this.accounts = accounts;
    this.cache = cache;
    this.sessions = sessions;
    this.readOnlyRule = readOnlyRule;
  }

  /**
   * The same authentication (sharing its cache) without the read-only rule, for a route that
   * changes nothing of the account whatever its method: signing out of the console, or refusing
   * a path or method no route takes (a 404 or 405 says more than the 403 would).
   */
  public Auth readOnlyAllowed() {
    return new Auth(accounts, cache, sessions, false);
  }

  /** The session a request this handler passed was authenticated by, if it was by a cookie. */
  public static Optional<Sessions.Session> session(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(SESSION));
  }

  /**
   * Checks a key as sign-in does (blocking): who it acts for, or empty when the store refuses it.
   */
  public Optional<Caller> verify(String key) {
    return verify(key, cache.enabled() ? KeyCache.digest(key) : null);
  }

  /** The authenticated caller of a request this handler passed. */
  public static AccountId account(RoutingContext ctx) {
    return caller(ctx).account();
  }

  /** Who made a request this handler passed: its account, and whether it may only read. */
  public static Caller caller(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER);
    if (caller == null) {
      throw new IllegalStateException("route reached without authentication");
    }
    return caller;
  }

  /** Whether the request's key was checked and accepted. */
  static boolean authenticated(RoutingContext ctx) {
    return ctx.get(CALLER) != null;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String key = presentedOrRefused(ctx);
    if (key == null) {
      return;
    }
    // Nothing of the body is read before the key is settled: an anonymous body is refused
    // unread. The next handler resumes the request when it reads the body (or upgrades it).
    if (!ctx.request().isEnded()) {
      ctx.request().pause();
      ctx.put(UnreadBody.PAUSED, true);
    }
    String digest = cache.enabled() ? KeyCache.digest(key) : null;
    Caller cached = digest == null ? null : cache.find(digest);
    if (cached != null) {
      admitOrRefuse(ctx, cached);
      return;
    }
    ctx.vertx().executeBlocking(() -> verify(key, digest), false).onComplete(result -> {
      if (result.failed()) {
        Errors.send(ctx, result.cause());
      } else if (result.result().isEmpty()) {
        Errors.send(ctx, unauthorized());
      } else {
        admitOrRefuse(ctx, result.result().get());
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
      String key = presentedOrRefused(ctx);
      if (key == null) {
        return;
      }
      if (UnreadBody.expected(ctx.request())) {
        handle(ctx);
        return;
      }
      Caller cached = cache.enabled() ? cache.find(KeyCache.digest(key)) : null;
      if (cached != null) {
        admitOrRefuse(ctx, cached);
      } else {
        ctx.put(PRESENTED, key);
        ctx.next();
      }
    };
  }

  /**
   * The second half, on a worker thread: {@code work} runs once the key left by {@link
   * #deferring()} is verified; a key the store refuses is a 401, a read-only key on a
   * state-changing method a 403 (thrown, for the route's failure handling).
   */
  public Handler<RoutingContext> verified(Handler<RoutingContext> work) {
    return ctx -> {
      if (!authenticated(ctx)) {
        String key = ctx.get(PRESENTED);
        if (key == null) {
          throw new IllegalStateException("route reached without authentication");
        }
        ctx.remove(PRESENTED);
        Caller caller = verify(key, cache.enabled() ? KeyCache.digest(key) : null)
            .orElseThrow(Auth::unauthorized);
        ApiException refused = refusal(ctx, caller);
        if (refused != null) {
          throw refused;
        }
        ctx.put(CALLER, caller);
      }
      work.handle(ctx);
    };
  }

  /** Asks the store (blocking); remembers a key it accepts. */
  private Optional<Caller> verify(String key, String digest) {
    Optional<Caller> caller = accounts.authenticateKey(key).map(Caller::of);
    if (caller.isPresent() && digest != null) {
      cache.remember(digest, caller.get());
    }
    return caller;
  }

  /** Passes the request on as {@code caller}'s, unless the read-only rule refuses it. */
  private void admitOrRefuse(RoutingContext ctx, Caller caller) {
    ApiException refused = refusal(ctx, caller);
    if (refused != null) {
      Errors.send(ctx, refused);
      return;
    }
    ctx.put(CALLER, caller);
    ctx.next();
  }

  /** The 403 for a read-only caller's state-changing request; null when it may go on. */
  private ApiException refusal(RoutingContext ctx, Caller caller) {
    if (!readOnlyRule || !caller.readOnly() || SAFE.contains(ctx.request().method())) {
      return null;
    }
    return new ApiException(403, "read_only", "this API key is read-only: it cannot "
        + ctx.request().method().name() + " " + ExecutionRoutes.shown(ctx.request().path())
        + " (read-only keys see everything of their account and change nothing)",
        "use a key made without --read-only (`rgrid admin key create ACCOUNT`)");
  }

  /** The key the request presents, or null once it has been answered with the refusal. */
  private String presentedOrRefused(RoutingContext ctx) {
    try {
      String key = presented(ctx);
      if (key == null) {
        Errors.send(ctx, unauthorized());
      }
      return key;
    } catch (ApiException e) {
      Errors.send(ctx, e);
      return null;
    }
  }

  /**
   * The key of a {@code Bearer} header, else the key of the session the cookie names, or null.
   *
   * @throws ApiException 403 for a cookie-authenticated request that lacks the CSRF token or
   *     comes from another origin
   */
  private String presented(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null) {
      String key = header.regionMatches(true, 0, "Bearer ", 0, 7)
          ? header.substring(7).trim() : null;
      return key == null || key.isEmpty() ? null : key;
    }
    Cookie cookie = ctx.request().getCookie(Sessions.COOKIE);
    Sessions.Session session = cookie == null ? null
        : sessions.find(cookie.getValue()).orElse(null);
    if (session == null) {
      return null;
    }
    String origin = ctx.request().getHeader("Origin");
    if (origin != null && !sameOrigin(origin, ctx.request().getHeader("Host"))) {
      throw new ApiException(403, "forbidden", "a request from another origin ("
          + ExecutionRoutes.shown(origin) + ") cannot use the console's session",
          "call the API with 'Authorization: Bearer <key>' instead");
    }
    if (!SAFE.contains(ctx.request().method())
        && !session.csrfMatches(ctx.request().getHeader(Sessions.CSRF_HEADER))) {
      throw new ApiException(403, "forbidden", "a call that changes something with the console's "
          + "session needs its CSRF token in " + Sessions.CSRF_HEADER,
          "send the csrfToken of GET /api/v1/session in that header, or use a Bearer key");
    }
    ctx.put(SESSION, session);
    return session.key();
  }

  /**
   * Whether {@code origin} ({@code scheme://host[:port]}) names the host the request was sent to
   * ({@code Host}, as the browser wrote it: a proxy in front must pass it on unchanged).
   */
  private static boolean sameOrigin(String origin, String host) {
    int scheme = origin.indexOf("://");
    return host != null && scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host);
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
