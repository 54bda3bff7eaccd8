package dev.rgrid.server.internal;

import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Streams a blob to a response from a worker thread, one chunk at a time, waiting whenever the
 * connection's write queue is full: memory stays flat whatever the blob's size and however slow
 * the client.
 */
final class Streams {
  private static final int CHUNK = 64 * 1024;

  private Streams() {}

  static void send(RoutingContext ctx, BlobStore blobs, BlobKey key, String contentType,
      String fileName) {
    Context context = ctx.vertx().getOrCreateContext();
    HttpServerResponse response = ctx.response();
    long size = blobs.size(key).orElseThrow(() -> ApiException.notFound("blob " + key));
    try (InputStream in = blobs.open(key)) {
      onContext(context, () -> {
        // Never sniffed into another type, and sandboxed should a browser render it anyway: an
        // output (report.html with a script) must never run in the console's origin.
        response.putHeader("Content-Type", contentType)
            .putHeader("Content-Length", Long.toString(size))
            .putHeader("X-Content-Type-Options", "nosniff")
            .putHeader("Content-Security-Policy", "default-src 'none'; sandbox");
        if (fileName != null) {
          response.putHeader("Content-Disposition", "attachment; filename=\""
              + fileName.replaceAll("[^A-Za-z0-9._-]", "_") + "\"");
        }
        response.setStatusCode(200);
      });
      byte[] bytes = new byte[CHUNK];
      int n;
      while ((n = in.readNBytes(bytes, 0, CHUNK)) > 0) {
        Buffer chunk = BlobRoutes.buffer(bytes, n);
        CompletableFuture<Void> writable = new CompletableFuture<>();
        context.runOnContext(v -> {
          if (response.closed()) {
            writable.completeExceptionally(new java.io.IOException("the client went away"));
            return;
          }
          response.write(chunk);
          if (response.writeQueueFull()) {
            response.drainHandler(d -> writable.complete(null));
          } else {
            writable.complete(null);
          }
        });
        writable.get(5, TimeUnit.MINUTES);
      }
      context.runOnContext(v -> response.end());
    } catch (Exception e) {
      context.runOnContext(v -> Errors.send(ctx, e));
    }
  }

  private static void onContext(Context context, Runnable action) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        action.run();
        done.complete(null);
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    done.get(1, TimeUnit.MINUTES);
  }
}
