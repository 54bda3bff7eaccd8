package dev.rgrid.server.internal;

import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.SecretInfo;
import dev.rgrid.core.Secrets;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /api/v1/secrets[/NAME]}: the caller's account's secrets. A value comes only in the body
 * of a {@code PUT} ({@code application/octet-stream}, at most {@link Secrets#MAX_VALUE_BYTES}) and
 * is never answered, logged or put in an error: the answers hold names and dates only. The
 * library checks names and values and encrypts; these handlers only map HTTP.
 */
public final class SecretRoutes {
  private final LocalRGrid rgrid;

  /** The routes over {@code rgrid}, the instance the server wraps. */
  public SecretRoutes(LocalRGrid rgrid) {
    this.rgrid = rgrid;
  }

  /** Refuses a body that is not plain bytes before it is read (Vert.x would decode a form). */
  public static void requireBytesType(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String media = type == null ? null
        : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (media != null && !media.equals("application/octet-stream")) {
      Errors.send(ctx, new ApiException(415, "invalid_request", "a secret's value must be sent "
          + "as bytes, was sent as '" + ExecutionRoutes.shown(type) + "'",
          "send it with Content-Type: application/octet-stream"));
      return;
    }
    ctx.next();
  }

  /** GET the account's secrets: names and dates. */
  public void list(RoutingContext ctx) {
    List<SecretInfo> secrets = rgrid.account(Auth.account(ctx)).secrets().list();
    Json.send(ctx, 200, Map.of("secrets", secrets.stream()
        .map(s -> Map.of("name", s.name(), "updatedAt", s.updatedAt().toString())).toList()));
  }

  /** PUT a secret's value (the body); answers 204 with nothing. */
  public void set(RoutingContext ctx) {
    byte[] value = ctx.body() == null || ctx.body().buffer() == null ? new byte[0]
        : ctx.body().buffer().getBytes();
    try {
      rgrid.account(Auth.account(ctx)).secrets().set(ctx.pathParam("name"), value);
    } finally {
      Arrays.fill(value, (byte) 0);
    }
    ctx.response().setStatusCode(204).end();
  }

  /** DELETE a secret; 404 when the account has none of that name. */
  public void remove(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    if (!rgrid.account(Auth.account(ctx)).secrets().remove(name)) {
      throw ApiException.notFound("secret " + name);
    }
    ctx.response().setStatusCode(204).end();
  }
}
