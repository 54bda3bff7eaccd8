package dev.rgrid.backend.minio.internal;

import dev.rgrid.backend.minio.S3Settings;
import io.minio.Http;
import io.minio.MinioAsyncClient;
import io.minio.errors.MinioException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/** Makes the MinIO client of a store, with an HTTP client of its own that the store closes. */
public final class S3Clients {
  // The client's default of five minutes would make a dead server look like a hung run.
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(2);

  private S3Clients() {}

  /**
   * A client for the server and credentials of {@code settings}.
   *
   * @throws IllegalArgumentException when the client rejects the endpoint
   * @throws MinioException when the extra certificates named by {@code SSL_CERT_FILE} or {@code
   *     SSL_CERT_DIR} cannot be loaded
   */
  public static MinioAsyncClient create(S3Settings settings) throws MinioException {
    return MinioAsyncClient.builder()
        .endpoint(settings.endpoint().toString())
        .region(settings.region()) // known, so presigning and requests never ask the server
        .credentials(settings.accessKey(), settings.secretKey())
        .httpClient(http(settings), true)
        .build();
  }

  /** The HTTP client MinIO would make by default, minus its cost for plain-HTTP endpoints. */
  private static OkHttpClient http(S3Settings settings) throws MinioException {
    OkHttpClient.Builder builder = new OkHttpClient.Builder()
        .connectTimeout(CONNECT_TIMEOUT)
        .writeTimeout(TRANSFER_TIMEOUT)
        .readTimeout(TRANSFER_TIMEOUT)
        .protocols(List.of(Protocol.HTTP_1_1))
        .addInterceptor(new Http.StatusRetryInterceptor());
    if (settings.endpoint().getScheme().toLowerCase(Locale.ROOT).equals("http")) {
      // Without a TLS connection spec OkHttp skips loading the JDK trust store, which took about
      // 0.2 s per client, three times over in MinIO's own default client.
      return builder.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT)).build();
    }
    // As MinIO's default client does: trust extra CAs from SSL_CERT_FILE / SSL_CERT_DIR.
    return Http.enableExternalCertificatesFromEnv(builder.build());
  }
}
