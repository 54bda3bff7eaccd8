package dev.rgrid.client;

import dev.rgrid.client.internal.Backoff;
import dev.rgrid.client.internal.Http;
import dev.rgrid.core.Limits;
import dev.rgrid.core.RuntimeCatalog;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Chooses how a {@link RemoteRGrid} talks to its server; every setting has a default.
 * Setters are named after the property.
 */
public final class RemoteRGridBuilder {
  final HttpUrl base;
  final String apiKey;
  OkHttpClient httpClient;
  Duration connectTimeout = Duration.ofSeconds(5);
  Duration readTimeout = Duration.ofSeconds(60);
  Duration initialBackoff = Backoff.DEFAULT.initial();
  Duration maxBackoff = Backoff.DEFAULT.max();
  Duration retryDeadline = Backoff.DEFAULT.giveUpAfter();
  Duration reachDeadline = Backoff.DEFAULT.giveUpUnreached();
  RuntimeCatalog runtimes = RuntimeCatalog.defaults();
  Limits limits = Limits.defaults();

  RemoteRGridBuilder(URI url, String apiKey) {
    this.base = Http.serverUrl(url);
    this.apiKey = Http.apiKey(apiKey);
  }

  /**
   * The OkHttp client to send with (for a proxy, TLS settings or interceptors); its
   * connections and threads are shared, and {@link RemoteRGrid#close()} leaves them to its
   * owner. Timeouts set here then apply on top of it. Default: a client of its own.
   */
  public RemoteRGridBuilder httpClient(OkHttpClient value) {
    httpClient = Objects.requireNonNull(value, "httpClient");
    return this;
  }

  /** How long connecting may take (default 5 s). */
  public RemoteRGridBuilder connectTimeout(Duration value) {
    connectTimeout = positive(value, "connectTimeout");
    return this;
  }

  /** How long the server may stay silent within one answer (default 60 s). */
  public RemoteRGridBuilder readTimeout(Duration value) {
    readTimeout = positive(value, "readTimeout");
    return this;
  }

  /** The first wait before a retry or a reconnection (default 1 s); it doubles each time. */
  public RemoteRGridBuilder initialBackoff(Duration value) {
    initialBackoff = positive(value, "initialBackoff");
    return this;
  }

  /** The longest wait between retries or reconnections (default 30 s). */
  public RemoteRGridBuilder maxBackoff(Duration value) {
    maxBackoff = positive(value, "maxBackoff");
    return this;
  }

  /** How long to keep retrying one request, or reconnecting a log stream (default 2 min). */
  public RemoteRGridBuilder retryDeadline(Duration value) {
    retryDeadline = positive(value, "retryDeadline");
    return this;
  }

  /**
   * How long to keep trying to reach the server while it has not answered this connection yet
   * (default 5 s): then {@link dev.rgrid.core.ServerUnreachableException} is thrown. A server
   * that answered before is retried for the whole {@link #retryDeadline}, as it is most likely
   * restarting.
   */
  public RemoteRGridBuilder reachDeadline(Duration value) {
    reachDeadline = positive(value, "reachDeadline");
    return this;
  }

  /**
   * The runtimes runs are checked against before they are sent (default {@link
   * RuntimeCatalog#defaults()}): give the server's catalog when it has runtimes of its own.
   */
  public RemoteRGridBuilder runtimes(RuntimeCatalog value) {
    runtimes = Objects.requireNonNull(value, "runtimes");
    return this;
  }

  /** The limits runs are checked against before they are sent (default {@link Limits#defaults()}). */
  public RemoteRGridBuilder limits(Limits value) {
    limits = Objects.requireNonNull(value, "limits");
    return this;
  }

  /** The connection. */
  public RemoteRGrid build() {
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff");
    }
    return new RemoteRGrid(this);
  }

  private static Duration positive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
    return value;
  }
}
