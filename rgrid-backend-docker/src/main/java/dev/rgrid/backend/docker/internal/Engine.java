package dev.rgrid.backend.docker.internal;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.rgrid.backend.docker.DockerSettings;
import dev.rgrid.spi.BackendUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to one Docker engine: two docker-java clients and the translation of their
 * errors into RGrid's. Short requests go through {@link #control()}, whose reads time out so a
 * stuck engine cannot hang a caller; long-lived streams (attach, wait, pull) go through {@link
 * #streams()}, whose reads never time out, since a script may stay silent for hours.
 */
public final class Engine implements AutoCloseable {
  /** The backend name in errors. */
  public static final String BACKEND = "docker";
  /** What to do when the engine does not answer. */
  public static final String HINT = "start the Docker engine (scripts/docker-setup), set "
      + "DOCKER_HOST, or choose --engine process / RGRID_RUNTIME=process";

  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final int CONTROL_CONNECTIONS = 64;
  // One per running container (its attach stream) plus the odd wait or pull.
  private static final int STREAM_CONNECTIONS = 4096;
  private static final Pattern MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final URI endpoint;
  private final String apiVersion;
  private final boolean tls;
  private final DockerHttpClient controlHttp;
  private final DockerClient control;
  private final DockerClient streams;

  private Engine(URI endpoint, String apiVersion, DockerClientConfig config) {
    this.endpoint = endpoint;
    this.apiVersion = apiVersion;
    this.tls = config.getSSLConfig() != null;
    this.controlHttp = http(config, CONNECT_TIMEOUT, CONTROL_TIMEOUT, CONTROL_CONNECTIONS);
    this.control = DockerClientImpl.getInstance(config, controlHttp);
    this.streams = DockerClientImpl.getInstance(config, http(config, CONNECT_TIMEOUT, null,
        STREAM_CONNECTIONS));
  }

  /**
   * Connects to the engine of {@code settings} and checks within {@code settings.pingTimeout()}
   * that it answers.
   *
   * @throws BackendUnavailableException naming the endpoint when it does not
   */
  public static Engine connect(DockerSettings settings) {
    URI endpoint = settings.dockerHost();
    DockerClientConfig config;
    try {
      config = DefaultDockerClientConfig.createDefaultConfigBuilder()
          .withDockerHost(endpoint.toString())
          .withApiVersion(settings.apiVersion())
          .build();
    } catch (RuntimeException e) {
      // docker-java also reads DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and ~/.docker-java.properties
      throw new BackendUnavailableException(BACKEND, "cannot use the Docker endpoint " + endpoint
          + ": " + e.getMessage(), "check DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH; "
          + HINT, e);
    }
    ping(config, settings.pingTimeout());
    return new Engine(endpoint, settings.apiVersion(), config);
  }

  /** The endpoint. */
  public URI endpoint() {
    return endpoint;
  }

  /** The Engine API version spoken. */
  public String apiVersion() {
    return apiVersion;
  }

  /** Whether the endpoint is reached through TLS. */
  public boolean tls() {
    return tls;
  }

  /** For short requests. */
  public DockerClient control() {
    return control;
  }

  /** For streams that may stay silent for a long time. */
  public DockerClient streams() {
    return streams;
  }

  /**
   * Turns an error of docker-java into RGrid's: an engine that did not answer, or one that refused
   * {@code action} (saying why).
   */
  public BackendUnavailableException failure(String action, RuntimeException e) {
    if (e instanceof DockerException d) {
      return new BackendUnavailableException(BACKEND, "the Docker engine at " + endpoint
          + " refused to " + action + ": " + message(d), "check the engine's log (journalctl -u "
          + "docker, or the dockerd output) and its free disk space", e);
    }
    return unreachable(endpoint, action, e);
  }

  /** The engine's own message in a docker-java error, on one line. */
  public static String message(DockerException e) {
    String text = String.valueOf(e.getMessage());
    Matcher m = MESSAGE.matcher(text);
    String msg = m.find() ? m.group(1).replace("\\\"", "\"").replace("\\n", " ") : text;
    return msg.replaceAll("\\s+", " ").strip();
  }

  /**
   * Sends {@code POST /v<api><pathAndQuery>} with the JSON {@code body}, for the few requests
   * whose body docker-java cannot express (a commit that sets the entrypoint), through the
   * short-request connection pool.
   *
   * @param pathAndQuery the path after the version, query values already encoded
   * @return the response body
   * @throws NotFoundException when the engine answers 404
   * @throws DockerException when it answers with another error status
   */
  public byte[] post(String pathAndQuery, byte[] body) {
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.POST)
        .path("/v" + apiVersion + pathAndQuery)
        .putHeader("Content-Type", "application/json")
        .bodyBytes(body)
        .build();
    try (DockerHttpClient.Response response = controlHttp.execute(request)) {
      byte[] answer = response.getBody() == null ? new byte[0]
          : response.getBody().readAllBytes();
      int status = response.getStatusCode();
      if (status == 404) {
        throw new NotFoundException(new String(answer, StandardCharsets.UTF_8));
      }
      if (status < 200 || status >= 300) {
        throw new DockerException(new String(answer, StandardCharsets.UTF_8), status);
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Closes both clients. */
  @Override
  public void close() {
    closeQuietly(control);
    closeQuietly(streams);
  }

  private static void ping(DockerClientConfig config, Duration timeout) {
    DockerClient probe = DockerClientImpl.getInstance(config, http(config, timeout, timeout, 1));
    try {
      probe.pingCmd().exec();
    } catch (RuntimeException e) {
      throw unreachable(config.getDockerHost(), "answer a ping within " + timeout.toMillis()
          + " ms", e);
    } finally {
      closeQuietly(probe);
    }
  }

  private static BackendUnavailableException unreachable(URI endpoint, String action,
      RuntimeException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    // The user reads this line: the cause's words, not a Java class name (--debug shows those).
    String why = root.getMessage() == null ? "no reason given" : root.getMessage();
    return new BackendUnavailableException(BACKEND, "no Docker engine answered at " + endpoint
        + " (while trying to " + action + "; " + why.replaceAll("\\s+", " ").strip() + ")", HINT,
        e);
  }

  private static DockerHttpClient http(DockerClientConfig config, Duration connect,
      Duration response, int connections) {
    ZerodepDockerHttpClient.Builder http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(connections)
        .connectionTimeout(connect);
    if (response != null) {
      http.responseTimeout(response);
    }
    return http.build();
  }

  private static void closeQuietly(DockerClient client) {
    try {
      client.close();
    } catch (IOException | RuntimeException e) {
      // Closing only releases pooled connections; nothing is lost if it fails.
      LOG.debug("closing a Docker client failed", e);
    }
  }
}
