package dev.rgrid.server.internal;

import dev.rgrid.core.Accounts;
import dev.rgrid.spi.account.AccountId;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Authenticates every API request by its {@code Authorization: Bearer <key>} header and puts the
 * caller's account on the routing context. Anything else (no header, another scheme, a malformed,
 * unknown, revoked or wrong key) is the same 401, so a caller learns nothing from the difference.
 */
public final class Auth implements Handler<RoutingContext> {
  private static final String ACCOUNT = "rgrid.account";
  private final Accounts accounts;

  public Auth(Accounts accounts) {
    this.accounts = accounts;
  }

  /** The authenticated caller of a request this handler passed. */
  public static AccountId account(RoutingContext ctx) {
    AccountId id = ctx.get(ACCOUNT);
    if (id == null) {
      throw new IllegalStateException("route reached without authentication");
    }
    return id;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String key = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? header.substring(7).trim() : null;
    if (key == null || key.isEmpty()) {
      Errors.send(ctx, unauthorized());
      return;
    }
    // The lookup blocks (a database): keep an upload's bytes waiting meanwhile.
    // (A body already read in full, by a body handler, cannot be paused and need not be.)
    if (!ctx.request().isEnded()) {
      ctx.request().pause();
    }
    ctx.vertx().executeBlocking(() -> accounts.authenticate(key), false)
        .onComplete(result -> {
          if (result.failed()) {
            resume(ctx);
            Errors.send(ctx, result.cause());
            return;
          }
          Optional<AccountId> account = result.result();
          if (account.isEmpty()) {
            resume(ctx);
            Errors.send(ctx, unauthorized());
            return;
          }
          ctx.put(ACCOUNT, account.get());
          ctx.next();
        });
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
