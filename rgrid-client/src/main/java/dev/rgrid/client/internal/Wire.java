package dev.rgrid.client.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rgrid.spi.RGridException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import okhttp3.Response;

/**
 * The JSON the server speaks ({@code /api/v1/openapi.json}), as the client reads and writes it.
 * Kept here rather than shared with the server so the client needs nothing of the server; fields
 * the client does not know are ignored, so a newer server does not break an older client.
 */
final class Wire {
  static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private Wire() {}

  /**
   * Reads an accepted answer as {@code type}. A body that is not the expected JSON is not worth
   * another try (unlike one cut off, a plain {@link IOException}): asking again gets the same.
   */
  static <T> T read(Response r, Class<T> type, String server) throws IOException {
    try {
      return JSON.readValue(r.body().byteStream(), type);
    } catch (JsonProcessingException e) {
      throw new RGridException("the RGrid server at " + server + " answered "
          + r.request().method() + " " + r.request().url().encodedPath() + " with a body that "
          + "is not the expected JSON: " + e.getOriginalMessage(),
          "check that RGRID_URL points at an RGrid server and that versions match", null, e);
    }
  }

  /** {@code value} as JSON. */
  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a request as JSON", e);
    }
  }

  /** A name or path and the SHA-256 of an uploaded blob. */
  record FileRef(String path, String sha256) {}

  /** {@code POST /api/v1/executions}. */
  record CreateRequest(FileRef script, List<String> args, Map<String, String> env,
      List<FileRef> inputs, String runtime, Long timeoutSeconds, Map<String, String> labels,
      Long milliCpus, Long memoryBytes, List<String> constraints, Boolean network,
      List<String> requirements, String requirementsSource, List<FileRef> scriptFiles,
      Boolean cache, String batchId, Map<String, String> secrets, List<Parent> parents,
      Retry retry) {}

  /**
   * A run an execution waits for: an execution or a batch, and the outputs it takes; {@code
   * item} true (else left out) for a fed batch's run's link to its parent run.
   */
  record Parent(String execution, String batch, String glob, Boolean item) {}

  record Failure(String kind, String message, String hint) {}

  record StagedFile(String path, String sha256, long size) {}

  record Transition(String status, Instant at, int attempt) {}

  record Retry(int maxRetries, long initialDelayMillis, double multiplier, long maxDelayMillis,
      List<String> retryOn, String jitter) {}

  /** An execution as the server shows it. */
  record View(String id, String status, Instant createdAt, Instant startedAt,
      Instant finishedAt, int attempt, Integer exitCode, Failure failure, long costMicros,
      boolean cached, String cachedFrom, String script, String scriptSha256, String runtime,
      List<String> args, Map<String, String> env, List<StagedFile> inputs,
      Map<String, String> labels, long timeoutSeconds, String batchId, long milliCpus,
      long memoryBytes, List<String> constraints, boolean network, List<String> requirements,
      String requirementsSource, List<StagedFile> scriptFiles, Boolean cache, Retry retry,
      boolean cancelRequested,
      boolean logTruncated, String stdoutSha256, String stderrSha256,
      List<Transition> transitions, String retryOf, String retriedBy, String workerId,
      Map<String, String> secrets, List<Parent> parents) {}

  record Page(List<View> items, String next) {}

  record Line(long seq, String stream, Instant at, String text) {}

  record Lines(List<Line> lines, long next, boolean ended) {}

  record Output(String path, long size, String sha256) {}

  record Outputs(List<Output> outputs) {}

  /** {@code POST /api/v1/batches}: {@code size}, or {@code itemsFrom} for a fed batch. */
  record BatchCreate(String scriptName, String runtime, Integer size, int parallel,
      Map<String, String> labels, ItemsFrom itemsFrom) {}

  /** What feeds a batch: a batch or an ended execution, and the glob of each run's output. */
  record ItemsFrom(String batch, String execution, String glob) {}

  /** One run of a fed batch, to submit into it. */
  record FedRun(String execution, String glob, String input, String folder) {}

  /** Where a batch stands. */
  record BatchProgress(int total, int queued, int running, int succeeded, int failed,
      int cancelled, int cached, long costMicros, Duration elapsed, Duration eta) {}

  /** A batch as the server shows it. */
  record Batch(String id, Instant createdAt, String script, String runtime, int size,
      int parallel, Map<String, String> labels, BatchProgress progress, List<FedRun> runs,
      Boolean expandsLater) {}

  /** {@code POST /api/v1/batches/{id}/cancel}. */
  /** A page of batches, newest first. */
  record BatchPage(List<Batch> items, String next) {}

  record BatchCancelled(int cancelled) {}

  /** {@code POST /api/v1/batches/{id}/retry}. */
  record BatchRetried(List<View> executions) {}

  /** {@code GET /api/v1/cost}. */
  record CostReport(Instant since, Instant until, String by, List<CostLine> lines,
      long executions, long totalMicros) {}

  record CostLine(String key, long executions, long micros) {}

  /** {@code GET/PUT/DELETE /api/v1/limits}: the limit's fields are absent when none is set. */
  record Spending(String month, long spentMicros, Long limitMicros, List<Integer> thresholds,
      Long remainingMicros) {}

  /** {@code GET /api/v1/secrets}: names and dates, never values. */
  record SecretList(List<Secret> secrets) {}

  /** One secret in a {@link SecretList}. */
  record Secret(String name, Instant updatedAt) {}

  /** {@code PUT /api/v1/limits}. */
  record LimitRequest(long limitMicros, List<Integer> thresholds) {}

  /** {@code GET /api/v1/estimate}. */
  record Estimate(int inputs, String basis, int samples, Duration medianRunTime,
      long hourlyMicros, Long costMicros, List<String> assumptions) {}

  /** {@code GET /api/v1/runtimes}. */
  record Catalog(String defaultRuntime, List<Runtime> runtimes) {}

  record Runtime(String name, String image, String suffix, List<String> command,
      List<String> aliases) {}
}
