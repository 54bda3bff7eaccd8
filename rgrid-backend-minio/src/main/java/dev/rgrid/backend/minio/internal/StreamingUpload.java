package dev.rgrid.backend.minio.internal;

import dev.rgrid.spi.RGridException;
import io.minio.MinioAsyncClient;
import io.minio.PutObjectArgs;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Uploads content of unknown length to one object. The client reads one part into memory at a
 * time and uploads it before reading the next, switching to a multipart upload as soon as there
 * is a second part; the object appears only when the last part is in. On any failure the client
 * aborts the multipart upload, so nothing appears.
 */
public final class StreamingUpload {
  /** How long an interrupted upload may take to abort before the put gives up waiting. */
  private static final Duration ABORT_WAIT = Duration.ofSeconds(30);

  private final MinioAsyncClient client;
  private final String bucket;
  private final long partSize;
  private final S3Errors errors;

  /** Uploads to {@code bucket} in parts of {@code partSize} bytes (5 MiB to 5 GiB). */
  public StreamingUpload(MinioAsyncClient client, String bucket, long partSize, S3Errors errors) {
    this.client = client;
    this.bucket = bucket;
    this.partSize = partSize;
    this.errors = errors;
  }

  /**
   * Uploads all of {@code source} to the object {@code name}.
   *
   * @throws RGridException when reading the source fails (not the store's fault) or the calling
   *     thread is interrupted (its interrupt status is kept)
   * @throws dev.rgrid.spi.BackendUnavailableException when the server fails
   */
  public void run(HashingSource source, String name) {
    String action = "uploading a new blob to " + name;
    CompletableFuture<?> upload;
    try {
      // The first part is read right here, in the caller's thread; later ones on the client's.
      upload = client.putObject(PutObjectArgs.builder().bucket(bucket).object(name)
          .stream(source, -1L, partSize).contentType("application/octet-stream").build());
    } catch (RuntimeException e) {
      throw source.failure() != null ? sourceFailed(source) : errors.translate(e, action);
    }
    try {
      upload.get();
    } catch (ExecutionException e) {
      throw source.failure() != null ? sourceFailed(source)
          : errors.translate(e.getCause(), action);
    } catch (InterruptedException e) {
      // Make the upload's next read fail, so the client aborts the multipart upload, and give it
      // time to: parts left behind would take space until the server expires them.
      source.cancel();
      try {
        upload.get(ABORT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | InterruptedException | TimeoutException ignored) {
        // Any outcome will do: the put fails with the interruption either way.
      }
      Thread.currentThread().interrupt();
      throw new RGridException("interrupted while " + action + " in " + errors.where(),
          "nothing to do if the interruption was intended (a cancel or a shutdown)", null, e);
    }
  }

  private RGridException sourceFailed(HashingSource source) {
    Throwable failure = source.failure();
    return new RGridException("could not read the content to store in " + errors.where() + ": "
        + failure.getMessage(), "check the file or stream being stored, then try again", null,
        failure);
  }
}
