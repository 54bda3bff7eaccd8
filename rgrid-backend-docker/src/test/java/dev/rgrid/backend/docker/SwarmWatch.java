package dev.rgrid.backend.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.rgrid.backend.docker.internal.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches this JVM's swarm services from the engine's side while tests run, on a thread of its
 * own: how many of them, and how many of their tasks not yet ended, there were at most at once,
 * and the spec of every service and task and the inspection of every task container it saw,
 * kept after the runtime has removed them. Reads the engine's raw JSON (not docker-java's
 * model, which would drop what it does not know), through a client of its own.
 */
final class SwarmWatch implements AutoCloseable {
  /** The task states of a task that has not ended (new to running). */
  static final Set<String> LIVE = Set.of("new", "allocated", "pending", "assigned", "accepted",
      "preparing", "ready", "starting", "running");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long POLL_MILLIS = 20;

  private final DockerHttpClient http;
  private final String api;
  private final String services;
  private final Thread thread;
  private volatile boolean stopped;
  private volatile RuntimeException failure;
  private final AtomicInteger mostServices = new AtomicInteger();
  private final AtomicInteger mostLiveTasks = new AtomicInteger();
  /** Each service's spec, by service id. */
  final Map<String, JsonNode> serviceSpecs = new ConcurrentHashMap<>();
  /** Each task's spec, by task id. */
  final Map<String, JsonNode> taskSpecs = new ConcurrentHashMap<>();
  /** Each task container's inspection, by container id (those seen before they were removed). */
  final Map<String, JsonNode> containers = new ConcurrentHashMap<>();

  private SwarmWatch(DockerSettings settings) {
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(settings.dockerHost().toString()).withApiVersion(settings.apiVersion())
        .build();
    this.http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig()).build();
    this.api = settings.apiVersion();
    try {
      this.services = "/services?filters=" + URLEncoder.encode(JSON.writeValueAsString(Map.of(
          "label", List.of(Owner.OWNER + "=" + Owner.current().label()))),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.thread = new Thread(this::watch, "swarm-watch");
    thread.setDaemon(true);
  }

  /** Starts watching the services of this JVM on the engine of {@code settings}. */
  static SwarmWatch start(DockerSettings settings) {
    SwarmWatch watch = new SwarmWatch(settings);
    watch.look(); // fails here, not on the thread, when the engine does not answer
    watch.thread.start();
    return watch;
  }

  /** The most services of this JVM seen at once. */
  int mostServices() {
    check();
    return mostServices.get();
  }

  /** The most tasks of those services seen at once in a state before their end. */
  int mostLiveTasks() {
    check();
    return mostLiveTasks.get();
  }

  /** The engine's answer to {@code GET pathAndQuery}, or null when it answers 404. */
  JsonNode get(String pathAndQuery) {
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.GET).path("/v" + api + pathAndQuery).build();
    try (DockerHttpClient.Response response = http.execute(request)) {
      byte[] body = response.getBody().readAllBytes();
      if (response.getStatusCode() == 404) {
        return null;
      }
      if (response.getStatusCode() != 200) {
        throw new IllegalStateException("GET " + pathAndQuery + ": " + response.getStatusCode()
            + " " + new String(body, StandardCharsets.UTF_8));
      }
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void watch() {
    while (!stopped) {
      try {
        look();
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        failure = e;
        return;
      }
    }
  }

  private void look() {
    JsonNode listed = get(services);
    List<String> ids = new ArrayList<>();
    for (JsonNode service : listed) {
      ids.add(service.path("ID").asText());
      serviceSpecs.putIfAbsent(service.path("ID").asText(), service.path("Spec"));
    }
    mostServices.accumulateAndGet(ids.size(), Math::max);
    if (ids.isEmpty()) {
      return;
    }
    JsonNode tasks;
    try {
      tasks = get("/tasks?filters=" + URLEncoder.encode(JSON.writeValueAsString(Map.of(
          "service", ids)), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (tasks == null) {
      return; // one of the services was removed since it was listed: the next look counts
    }
    int live = 0;
    for (JsonNode task : tasks) {
      // Only the tasks of the services just listed: one removed since is not counted.
      if (!ids.contains(task.path("ServiceID").asText())) {
        continue;
      }
      taskSpecs.putIfAbsent(task.path("ID").asText(), task.path("Spec"));
      if (LIVE.contains(task.path("Status").path("State").asText())) {
        live++;
      }
      String container = task.path("Status").path("ContainerStatus").path("ContainerID")
          .asText("");
      if (!container.isEmpty() && !containers.containsKey(container)) {
        JsonNode inspected = get("/containers/" + container + "/json");
        if (inspected != null) {
          containers.put(container, inspected);
        }
      }
    }
    mostLiveTasks.accumulateAndGet(live, Math::max);
  }

  private void check() {
    if (failure != null) {
      throw new IllegalStateException("the watch of the swarm failed", failure);
    }
  }

  /** Stops watching (what it saw stays readable) and closes its client. */
  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(10_000);
      http.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
