package dev.rgrid.server.internal;

import dev.rgrid.core.Accounts;
import dev.rgrid.spi.account.AccountId;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * {@code /api/v1/session}: the console's sign-in. An API key is exchanged once for a session
 * cookie (HttpOnly, so no script reads it; SameSite=Strict, so no other site's page sends it;
 * Path=/) and a CSRF token the console keeps in memory; the key itself never goes back to the
 * browser.
 */
public final class SessionRoutes {
  /** The sign-in request. */
  public record SignIn(String key) {}

  /**
   * A session as its browser sees it.
   *
   * @param account the account's name
   * @param accountId the account's id
   * @param csrfToken what state-changing calls send in {@value Sessions#CSRF_HEADER}; null for a
   *     caller authenticated by a {@code Bearer} key, which needs none
   * @param expiresInSeconds how long the session lasts from its sign-in; null for a key
   * @param readOnly whether its key is read-only: it may read everything of the account and
   *     change nothing, so the console shows no action
   */
  public record View(String account, String accountId, String csrfToken,
      Long expiresInSeconds, boolean readOnly) {}

  private static final int LONGEST_KEY = 200;
  private final Accounts accounts;
  private final Auth auth;
  private final Sessions sessions;

  /** Signs in with keys of {@code accounts}, checked by {@code auth}, into {@code sessions}. */
  public SessionRoutes(Accounts accounts, Auth auth, Sessions sessions) {
    this.accounts = accounts;
    this.auth = auth;
    this.sessions = sessions;
  }

  /** POST: signs in with {@code {"key": …}}; 201 with the session and its cookie, else 401. */
  public void signIn(RoutingContext ctx) {
    SignIn request = Json.read(ctx, SignIn.class);
    String key = request.key() == null ? "" : request.key().trim();
    if (key.isEmpty() || key.length() > LONGEST_KEY) {
      throw ApiException.badRequest("'key' must be an API key (rgk_…)",
          "`rgrid admin key create ACCOUNT` makes one");
    }
    Caller caller = auth.verify(key).orElseThrow(() -> new ApiException(401,
        "unauthorized", "this API key is not accepted (unknown, revoked or mistyped)",
        "check the key, or ask an administrator for a new one"));
    AccountId account = caller.account();
    Sessions.Session session = sessions.open(key, account);
    ctx.response().addCookie(cookie(ctx, session.id(), sessions.lifetime().toSeconds()));
    Json.send(ctx, 201, new View(accounts.get(account.value()).name(), account.value(),
        session.csrfToken(), sessions.lifetime().toSeconds(), caller.readOnly()));
  }

  /**
   * GET: who is signed in (401 when nobody is), with the session's CSRF token and whether it may
   * only read.
   */
  public void get(RoutingContext ctx) {
    Caller caller = Auth.caller(ctx);
    AccountId account = caller.account();
    Optional<Sessions.Session> session = Auth.session(ctx);
    Json.send(ctx, 200, new View(accounts.get(account.value()).name(), account.value(),
        session.map(Sessions.Session::csrfToken).orElse(null),
        session.map(s -> sessions.lifetime().toSeconds()).orElse(null), caller.readOnly()));
  }

  /** DELETE: signs out (ends the session and clears its cookie); 204. */
  public void signOut(RoutingContext ctx) {
    Auth.session(ctx).ifPresent(s -> sessions.close(s.id()));
    ctx.response().addCookie(cookie(ctx, "", 0));
    ctx.response().setStatusCode(204).end();
  }

  /**
   * The session cookie; {@code Secure} when the browser reached the server over TLS (directly or
   * through a proxy that says so), where it must never travel in clear text.
   */
  private static Cookie cookie(RoutingContext ctx, String value, long maxAgeSeconds) {
    boolean tls = ctx.request().isSSL()
        || "https".equalsIgnoreCase(ctx.request().getHeader("X-Forwarded-Proto"));
    return Cookie.cookie(Sessions.COOKIE, value).setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT).setMaxAge(maxAgeSeconds).setSecure(tls);
  }
}
