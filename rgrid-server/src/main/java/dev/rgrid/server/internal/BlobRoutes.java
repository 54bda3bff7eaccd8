package dev.rgrid.server.internal;

import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code /api/v1/blobs/{sha256}}: HEAD says whether the caller may use a blob, PUT uploads one,
 * GET downloads one. A blob is the caller's once it sent the content (or one of its executions
 * made it): knowing a digest is not enough, so nobody can probe for, or read, another account's
 * content. An upload is spooled to a file as it arrives (memory stays flat whatever its size),
 * then stored, and its digest must be the one in the URL.
 */
public final class BlobRoutes {
  private final BlobStore blobs;
  private final AccountStore accounts;
  private final long maxBytes;
  private final Path spool;

  public BlobRoutes(BlobStore blobs, AccountStore accounts, long maxBytes, Path spool) {
    this.blobs = blobs;
    this.accounts = accounts;
    this.maxBytes = maxBytes;
    this.spool = spool;
  }

  static BlobKey key(RoutingContext ctx) {
    String value = ctx.pathParam("sha256");
    if (value == null || !value.matches("[0-9a-f]{64}")) {
      throw ApiException.badRequest("not a blob digest: the path must end in 64 lowercase hex "
          + "digits (SHA-256)", null);
    }
    return new BlobKey(value);
  }

  /** HEAD: 200 with its size when the caller may use it, else 404. */
  public void head(RoutingContext ctx) {
    BlobKey key = key(ctx);
    AccountId account = Auth.account(ctx);
    var size = accounts.hasBlob(account, key) ? blobs.size(key) : java.util.Optional.<Long>empty();
    if (size.isEmpty()) {
      ctx.response().setStatusCode(404).end();
      return;
    }
    ctx.response().putHeader("Content-Length", Long.toString(size.get())).setStatusCode(200).end();
  }

  /** GET: the content, streamed. */
  public void get(RoutingContext ctx) {
    BlobKey key = key(ctx);
    if (!accounts.hasBlob(Auth.account(ctx), key)) {
      throw ApiException.notFound("blob " + key);
    }
    Streams.send(ctx, blobs, key, "application/octet-stream", null);
  }

  /** PUT: spools the body to a file, then stores it (non-blocking until the body has arrived). */
  public void put(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    BlobKey expected;
    try {
      expected = key(ctx);
      String length = request.getHeader("Content-Length");
      if (length != null && parseLength(length) > maxBytes) {
        throw tooLarge();
      }
    } catch (RuntimeException e) {
      Auth.resume(ctx);
      Errors.send(ctx, e);
      return;
    }
    AccountId account = Auth.account(ctx);
    Vertx vertx = ctx.vertx();
    Path file;
    try {
      Files.createDirectories(spool);
      file = Files.createTempFile(spool, "rgrid-upload-", ".part");
    } catch (IOException e) {
      Auth.resume(ctx);
      Errors.send(ctx, e);
      return;
    }
    AsyncFile out = vertx.fileSystem().openBlocking(file.toString(), new OpenOptions().setWrite(true));
    AtomicLong received = new AtomicLong();
    boolean[] failed = {false};
    request.handler(chunk -> {
      if (failed[0]) {
        return;
      }
      if (received.addAndGet(chunk.length()) > maxBytes) {
        failed[0] = true;
        out.close();
        delete(file);
        Errors.send(ctx, tooLarge());
        request.connection().close(); // stop the rest of the body
        return;
      }
      out.write(chunk);
      if (out.writeQueueFull()) {
        request.pause();
        out.drainHandler(v -> request.resume());
      }
    });
    request.exceptionHandler(e -> {
      failed[0] = true;
      out.close();
      delete(file);
    });
    request.endHandler(v -> {
      if (failed[0]) {
        return;
      }
      out.close().compose(closed -> vertx.executeBlocking(() -> store(file, expected, account),
          false)).onComplete(result -> {
            delete(file);
            if (result.failed()) {
              Errors.send(ctx, result.cause());
            } else {
              Json.send(ctx, 201, Map.of("sha256", result.result().key().sha256(),
                  "size", result.result().size()));
            }
          });
    });
    request.resume();
  }

  private BlobInfo store(Path file, BlobKey expected, AccountId account) throws IOException {
    BlobInfo info;
    try (InputStream in = Files.newInputStream(file)) {
      info = blobs.put(in);
    }
    if (!info.key().equals(expected)) {
      throw new ApiException(400, "digest_mismatch", "the content's SHA-256 is "
          + info.key().sha256() + ", not the " + expected.sha256() + " named in the URL",
          "upload the content to /api/v1/blobs/<its SHA-256>");
    }
    accounts.grantBlob(account, info.key());
    return info;
  }

  private ApiException tooLarge() {
    return new ApiException(413, "too_large", "a blob may be at most " + maxBytes + " bytes",
        "split the data into several inputs");
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("Content-Length is not a number", null);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover spool file; the directory is temporary space
    }
  }

  static Buffer buffer(byte[] bytes, int length) {
    return Buffer.buffer(java.util.Arrays.copyOf(bytes, length));
  }
}
