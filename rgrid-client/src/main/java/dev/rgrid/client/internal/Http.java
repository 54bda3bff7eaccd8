package dev.rgrid.client.internal;

import dev.rgrid.core.ServerUnreachableException;
import dev.rgrid.spi.RGridException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntPredicate;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door to the server: builds authenticated requests under {@code /api/v1}, sends them
 * with retries and maps refusals to the library's exceptions.
 *
 * <p>Every request this client sends is safe to repeat: reads, content-addressed blob uploads,
 * and POSTs that carry an {@code Idempotency-Key} or are idempotent by nature (cancel, retry).
 * So each is retried after a transport failure or a 502/503/504, waiting per {@link Backoff},
 * until its deadline (a short one while the server has never answered, see {@link Backoff}).
 * The API key lives only in {@link #authorization}, never in a message.
 */
public final class Http implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Http.class);
  private static final Set<Integer> TRANSIENT = Set.of(502, 503, 504);
  static final MediaType JSON_TYPE = MediaType.get("application/json");
  static final MediaType BYTES = MediaType.get("application/octet-stream");

  private final OkHttpClient client;
  private final OkHttpClient webSockets;
  private final HttpUrl base;
  private final String authorization;
  private final Backoff backoff;
  private final boolean ownsClient;
  private final HttpErrors errors;
  private volatile boolean closed;
  /** Whether the server has answered anything yet: until then, not reaching it fails fast. */
  private volatile boolean answered;

  /**
   * @param client the client to send with
   * @param ownsClient whether closing this closes the client's threads and connections
   * @param base the server's address
   * @param apiKey the key sent as {@code Authorization: Bearer}
   * @param backoff how retries wait and when they give up
   */
  public Http(OkHttpClient client, boolean ownsClient, HttpUrl base, String apiKey,
      Backoff backoff) {
    this.client = client;
    // Pings notice a peer that vanished without closing: a live log can be silent for minutes.
    this.webSockets = client.newBuilder().pingInterval(Duration.ofSeconds(20)).build();
    this.ownsClient = ownsClient;
    this.base = base;
    this.authorization = "Bearer " + apiKey;
    this.backoff = backoff;
    this.errors = new HttpErrors(base.newBuilder().username("").password("").build().toString()
        .replaceAll("/$", ""));
  }

  /**
   * The server's address, {@code url} as OkHttp reads it.
   *
   * @throws IllegalArgumentException unless it is an {@code http} or {@code https} URL
   */
  public static HttpUrl serverUrl(URI url) {
    Objects.requireNonNull(url, "url");
    String scheme = url.getScheme();
    HttpUrl parsed = scheme == null ? null : HttpUrl.parse(url.toString());
    if (parsed == null || !(scheme.equals("http") || scheme.equals("https"))) {
      throw new IllegalArgumentException("the server URL must be an http:// or https:// URL "
          + "such as https://rgrid.example.org, was '" + url + "'");
    }
    return parsed;
  }

  /**
   * {@code apiKey}, once it is known to fit in one header value.
   *
   * @throws IllegalArgumentException when it is blank or has spaces or other than visible ASCII
   *     (said without the key: it must not reach a message, even a misuse one)
   */
  public static String apiKey(String apiKey) {
    Objects.requireNonNull(apiKey, "apiKey");
    if (apiKey.isBlank() || !apiKey.strip().equals(apiKey)
        || apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("the API key must be non-empty visible ASCII without "
          + "spaces (as `rgrid admin key create` prints it)");
    }
    return apiKey;
  }

  /**
   * {@code given} (sharing its connections and threads), or a new client when it is null, with
   * these timeouts; writing one request may take as long as reading an answer.
   */
  public static OkHttpClient client(OkHttpClient given, Duration connectTimeout,
      Duration readTimeout) {
    OkHttpClient.Builder b = given == null ? new OkHttpClient.Builder() : given.newBuilder();
    return b.connectTimeout(connectTimeout).readTimeout(readTimeout).writeTimeout(readTimeout)
        .build();
  }

  /** The server's address as messages show it. */
  public String server() {
    return errors.server();
  }

  Backoff backoff() {
    return backoff;
  }

  HttpErrors errors() {
    return errors;
  }

  /**
   * {@code /api/v1/} followed by {@code path}: segments of the API's own, separated by {@code /}
   * (a {@code \} separates too, and dot segments are resolved: a name a user chose goes in
   * with {@link HttpUrl.Builder#addPathSegment} instead, see {@link OutputFiles}).
   */
  HttpUrl.Builder url(String path) {
    return base.newBuilder().addPathSegments("api/v1").addPathSegments(path);
  }

  /** An authenticated request to {@code url}. */
  Request.Builder request(HttpUrl url) {
    if (closed) {
      throw new IllegalStateException("this remote RGrid is closed");
    }
    return new Request.Builder().url(url).header("Authorization", authorization);
  }

  /** A POST of {@code json} carrying a fresh idempotency key, kept by every retry of it. */
  Request post(HttpUrl url, String json) {
    return post(url, json, UUID.randomUUID().toString());
  }

  /** A POST of {@code json} carrying {@code idempotencyKey}, kept by every retry of it. */
  Request post(HttpUrl url, String json, String idempotencyKey) {
    return request(url).header("Idempotency-Key", idempotencyKey)
        .post(RequestBody.create(json, JSON_TYPE)).build();
  }

  /** Whether {@link #close()} was called: nothing more is sent then. */
  boolean closed() {
    return closed;
  }

  /** Reads a response that the server accepted. */
  interface Body<T> {
    T read(Response response) throws IOException;
  }

  /** One try; {@link Transient} for a refusal worth another try. */
  private interface Attempt<T> {
    T run() throws IOException, Transient;
  }

  /** A 502/503/504: the server (or a proxy before it) may answer the next try. */
  private static final class Transient extends Exception {
    final RGridException error;

    Transient(RGridException error) {
      super(error.getMessage(), null, false, false);
      this.error = error;
    }
  }

  /**
   * Sends {@code request} until it is answered and reads the answer with {@code body}; statuses
   * that {@code accepted} lets through are read as well instead of being thrown. A failure while
   * reading the body counts as a transport failure, so {@code body} must be repeatable.
   */
  <T> T send(Request request, IntPredicate accepted, Body<T> body) {
    return retrying(request, () -> {
      try (Response r = client.newCall(request).execute()) {
        answered = true;
        check(r, accepted);
        return body.read(r);
      }
    });
  }

  /** Sends a GET until answered; the caller reads and closes the streamed body. */
  InputStream stream(Request request) {
    return retrying(request, () -> {
      Response r = client.newCall(request).execute();
      answered = true;
      try {
        check(r, code -> false);
      } catch (RuntimeException | Transient e) {
        r.close();
        throw e;
      }
      return new FilterInputStream(r.body().byteStream()) {
        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            r.close();
          }
        }
      };
    });
  }

  /** Opens a WebSocket (authenticated like every request). */
  WebSocket webSocket(Request request, WebSocketListener listener) {
    return webSockets.newWebSocket(request, listener);
  }

  private void check(Response r, IntPredicate accepted) throws Transient {
    if (r.isSuccessful() || accepted.test(r.code())) {
      return;
    }
    RGridException error = errors.of(r);
    if (TRANSIENT.contains(r.code())) {
      throw new Transient(error);
    }
    throw error;
  }

  private <T> T retrying(Request request, Attempt<T> attempt) {
    long start = System.nanoTime();
    Duration wait = backoff.initial();
    while (true) {
      RGridException failure;
      try {
        return attempt.run();
      } catch (Transient e) {
        answered = true;
        failure = e.error;
      } catch (IOException e) {
        failure = errors.unreachable(request, e);
      }
      long deadline = answered || !(failure instanceof ServerUnreachableException)
          ? backoff.deadline(start) : backoff.unreachedDeadline(start);
      if (closed || System.nanoTime() + wait.toNanos() > deadline) {
        throw failure;
      }
      LOG.debug("{} {} failed, trying again in {} ms: {}", request.method(),
          request.url().encodedPath(), wait.toMillis(), failure.getMessage());
      try {
        Backoff.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RGridException("interrupted while waiting to retry " + request.method() + " "
            + request.url().encodedPath() + " on " + server(), null, null, failure);
      }
      wait = backoff.next(wait);
    }
  }

  /** Stops the client's threads and connections when this created the client. */
  @Override
  public void close() {
    closed = true;
    if (ownsClient) {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }
}
