package dev.rgrid.backend.minio.internal;

import dev.rgrid.backend.minio.S3Settings;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.RGridException;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Waits for MinIO client requests and turns their failures into the exceptions the SPI names, so
 * core reacts to S3 exactly as to any other blob store. Every message names the endpoint, the
 * bucket and what was being done; every one carries a hint. Nothing here ever sees the secret key:
 * S3 request signing never sends it, and HTTP traces are never included.
 */
public final class S3Errors {
  /** The backend name carried by {@link BackendUnavailableException#backend()}. */
  public static final String BACKEND = "s3";

  private static final Set<String> CREDENTIAL_CODES = Set.of("AccessDenied", "InvalidAccessKeyId",
      "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "AllAccessDisabled");
  private static final Set<String> MISSING_CODES = Set.of("NoSuchKey", "NotFound");

  private static final String REACH_HINT = "check that the S3 server runs there and that"
      + " RGRID_S3_ENDPOINT is right, then run again";
  private static final String CREDENTIALS_HINT = "check RGRID_S3_ACCESS_KEY and"
      + " RGRID_S3_SECRET_KEY, and that this key may read and write the bucket";
  private static final String SERVER_HINT = "check the S3 server's status and log, then try again";

  private final String where;

  /** Errors about the bucket and endpoint of {@code settings}. */
  public S3Errors(S3Settings settings) {
    this.where = settings.describe();
  }

  /**
   * Waits for {@code request}, which is about {@code action} ("reading blob …"), and returns its
   * result or throws the SPI exception for its failure.
   */
  public <T> T await(CompletableFuture<T> request, String action) {
    try {
      return request.get();
    } catch (ExecutionException e) {
      throw translate(e.getCause(), action);
    } catch (InterruptedException e) {
      throw interrupted(request, action, e);
    }
  }

  /** {@link #await}, with empty for S3's "no such key" instead of an exception. */
  public <T> Optional<T> awaitUnlessMissing(CompletableFuture<T> request, String action) {
    try {
      return Optional.of(request.get());
    } catch (ExecutionException e) {
      if (isMissing(e.getCause())) {
        return Optional.empty();
      }
      throw translate(e.getCause(), action);
    } catch (InterruptedException e) {
      throw interrupted(request, action, e);
    }
  }

  /**
   * The SPI exception for {@code failure}, met while doing {@code action}: RGrid's own exceptions
   * pass through, every client or server failure becomes a {@link BackendUnavailableException}.
   */
  public RuntimeException translate(Throwable failure, String action) {
    Throwable e = unwrap(failure);
    if (e instanceof Error error) {
      throw error; // out of memory and the like: nothing S3-specific to say
    }
    if (e instanceof RGridException ours) {
      return ours;
    }
    String doing = " for " + where + " while " + action;
    if (e instanceof ErrorResponseException response) {
      String code = String.valueOf(response.errorResponse().code());
      String detail = " (" + code + ": " + oneLine(response.errorResponse().message()) + ")";
      if (CREDENTIAL_CODES.contains(code)) {
        return unavailable("S3 refused the credentials" + doing + detail, CREDENTIALS_HINT, e);
      }
      if (code.equals("AuthorizationHeaderMalformed")) {
        return unavailable("S3 rejected the request signature" + doing + detail,
            "set RGRID_S3_REGION to the bucket's region", e);
      }
      if (code.equals("RequestTimeTooSkewed")) {
        return unavailable("S3 refused the request time" + doing + detail,
            "synchronise this machine's clock (e.g. with NTP), then try again", e);
      }
      if (code.equals("NoSuchBucket")) {
        return unavailable("the bucket is gone" + doing + detail, "something deleted the bucket;"
            + " open the blob store again to recreate it, or check RGRID_S3_BUCKET", e);
      }
      return unavailable("S3 failed" + doing + detail, SERVER_HINT, e);
    }
    if (e instanceof ServerException server) {
      return unavailable("S3 answered HTTP " + server.statusCode() + doing, SERVER_HINT, e);
    }
    if (e instanceof InvalidResponseException) {
      return unavailable("the server did not answer like an S3 API" + doing + " ("
          + oneLine(e.getMessage()) + ")", "check that RGRID_S3_ENDPOINT points at the S3 API"
          + " port of the server, not its web console", e);
    }
    Optional<IOException> io = ioCause(e);
    if (io.isPresent()) {
      return unavailable("cannot reach the S3 server" + doing + " (" + describe(io.get()) + ")",
          REACH_HINT, e);
    }
    return unavailable("the S3 client failed" + doing + " (" + describe(e) + ")",
        "if the S3 server looks healthy, report this message as an RGrid defect", e);
  }

  /** Whether {@code failure} is S3 saying the object does not exist. */
  public static boolean isMissing(Throwable failure) {
    return unwrap(failure) instanceof ErrorResponseException response
        && MISSING_CODES.contains(response.errorResponse().code());
  }

  /** Whether {@code failure} is S3 saying the bucket already belongs to us (a lost create race). */
  public static boolean isOwnBucket(Throwable failure) {
    return unwrap(failure) instanceof ErrorResponseException response
        && "BucketAlreadyOwnedByYou".equals(response.errorResponse().code());
  }

  /** An unavailable error about this store. */
  public BackendUnavailableException unavailable(String message, String hint, Throwable cause) {
    return new BackendUnavailableException(BACKEND, message, hint, cause);
  }

  /** Where the store is, for messages. */
  public String where() {
    return where;
  }

  private RGridException interrupted(CompletableFuture<?> request, String action,
      InterruptedException e) {
    // The HTTP call may still finish in the background; cancelling stops any work chained on it.
    request.cancel(true);
    Thread.currentThread().interrupt();
    return new RGridException("interrupted while " + action + " in " + where,
        "nothing to do if the interruption was intended (a cancel or a shutdown)", null, e);
  }

  /** The failure behind the wrappers CompletableFuture and the client add. */
  private static Throwable unwrap(Throwable failure) {
    Throwable e = failure;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static Optional<IOException> ioCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException io) {
        return Optional.of(io);
      }
    }
    return Optional.empty();
  }

  private static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + oneLine(e.getMessage());
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "no message";
    }
    String line = text.strip().replaceAll("\\s+", " ");
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }
}
