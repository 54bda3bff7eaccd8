package dev.rgrid.server.internal;

import dev.rgrid.core.BatchOutput;
import dev.rgrid.spi.blob.BlobStore;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Streams many blobs as one zip archive from a worker thread: each is read from the blob store
 * and compressed into the response as it goes, waiting whenever the connection's write queue is
 * full, so memory stays flat whatever the sizes. The size is not known in advance: the answer is
 * chunked. Once the first bytes are sent a failure can no longer be a JSON error; the connection
 * is reset instead, so the client sees a broken download rather than a short archive it trusts.
 */
final class ZipStreams {
  private static final int CHUNK = 64 * 1024;

  private ZipStreams() {}

  static void send(RoutingContext ctx, BlobStore blobs, List<BatchOutput> entries,
      String fileName) {
    Context context = ctx.vertx().getOrCreateContext();
    HttpServerResponse response = ctx.response();
    ResponseStream out = new ResponseStream(context, response);
    try {
      onContext(context, () -> response.setChunked(true)
          .putHeader("Content-Type", "application/zip")
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Content-Security-Policy", "default-src 'none'; sandbox")
          .putHeader("Content-Disposition", "attachment; filename=\""
              + fileName.replaceAll("[^A-Za-z0-9._-]", "_") + "\"")
          .setStatusCode(200));
      // Outputs are often compressed already: the fastest level costs little and still shrinks
      // logs and text.
      try (ZipOutputStream zip = new ZipOutputStream(out)) {
        zip.setLevel(Deflater.BEST_SPEED);
        for (BatchOutput e : entries) {
          zip.putNextEntry(new ZipEntry(safeName(e.name())));
          try (InputStream in = blobs.open(e.artifact().blob())) {
            in.transferTo(zip);
          }
          zip.closeEntry();
        }
      }
      context.runOnContext(v -> response.end());
    } catch (Exception e) {
      context.runOnContext(v -> {
        if (out.started) {
          response.reset();
        } else {
          Errors.send(ctx, e);
        }
      });
    }
  }

  /**
   * An entry's name as an unzip tool writes it safely: relative, with no {@code ..} segment
   * (outputs and folders never have one; this keeps it so for any client's extractor).
   */
  static String safeName(String name) {
    StringBuilder out = new StringBuilder();
    for (String segment : name.replace('\\', '/').split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(segment.equals("..") ? "_" : segment);
    }
    return out.length() == 0 ? "_" : out.toString();
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

  /** Bytes into the response in chunks, with its backpressure. */
  private static final class ResponseStream extends OutputStream {
    private final Context context;
    private final HttpServerResponse response;
    private final byte[] buffer = new byte[CHUNK];
    private int used;
    private volatile boolean started;

    ResponseStream(Context context, HttpServerResponse response) {
      this.context = context;
      this.response = response;
    }

    @Override
    public void write(int b) throws IOException {
      if (used == buffer.length) {
        flushChunk();
      }
      buffer[used++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (used == buffer.length) {
          flushChunk();
        }
        int n = Math.min(len, buffer.length - used);
        System.arraycopy(b, off, buffer, used, n);
        used += n;
        off += n;
        len -= n;
      }
    }

    @Override
    public void close() throws IOException {
      flushChunk();
    }

    private void flushChunk() throws IOException {
      if (used == 0) {
        return;
      }
      Buffer chunk = BlobRoutes.buffer(buffer, used);
      used = 0;
      started = true;
      CompletableFuture<Void> writable = new CompletableFuture<>();
      context.runOnContext(v -> {
        if (response.closed()) {
          writable.completeExceptionally(new IOException("the client went away"));
          return;
        }
        response.write(chunk);
        if (response.writeQueueFull()) {
          response.drainHandler(d -> writable.complete(null));
        } else {
          writable.complete(null);
        }
      });
      try {
        writable.get(5, TimeUnit.MINUTES);
      } catch (ExecutionException e) {
        throw new IOException(e.getCause());
      } catch (TimeoutException e) {
        throw new IOException("the client read nothing for 5 minutes", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }
}
