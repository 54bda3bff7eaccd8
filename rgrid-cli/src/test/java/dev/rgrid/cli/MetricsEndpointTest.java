package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.RGridException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The worker's {@code --metrics-port} endpoint, on loopback. */
class MetricsEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(String method, int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheRegistryOnGetMetricsOnlyAndRefusesTheRest() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("rgrid.test.events").register(registry).increment(3);
    try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0, registry)) {
      HttpResponse<String> ok = send("GET", endpoint.port(), "/metrics");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("Content-Type").orElse(""))
          .startsWith("text/plain; version=0.0.4");
      assertThat(ok.body()).contains("rgrid_test_events_total 3.0");
      assertThat(send("GET", endpoint.port(), "/").statusCode()).isEqualTo(404);
      assertThat(send("GET", endpoint.port(), "/metrics/../admin").statusCode()).isEqualTo(404);
      HttpResponse<String> post = send("POST", endpoint.port(), "/metrics");
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).contains("GET");
    }
  }

  @Test
  void refusesAPortOutOfRangeAndAnAddressItCannotBind() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1", 70000, registry))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--metrics-port");
    assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1", -1, registry))
        .isInstanceOf(IllegalArgumentException.class);
    try (MetricsEndpoint taken = MetricsEndpoint.start("127.0.0.1", 0, registry)) {
      assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1", taken.port(), registry))
          .isInstanceOf(RGridException.class).hasMessageContaining("cannot serve metrics on");
    }
  }
}
