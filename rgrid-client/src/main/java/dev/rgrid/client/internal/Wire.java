package dev.rgrid.client.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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

  /** A name or path and the SHA-256 of an uploaded blob. */
  record FileRef(String path, String sha256) {}

  /** {@code POST /api/v1/executions}. */
  record CreateRequest(FileRef script, List<String> args, Map<String, String> env,
      List<FileRef> inputs, String runtime, Long timeoutSeconds, Map<String, String> labels,
      Long milliCpus, Long memoryBytes, Boolean network, List<String> requirements,
      String requirementsSource, List<FileRef> scriptFiles, Boolean cache) {}

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
      long memoryBytes, boolean network, List<String> requirements, String requirementsSource,
      List<StagedFile> scriptFiles, Boolean cache, Retry retry, boolean cancelRequested,
      boolean logTruncated, String stdoutSha256, String stderrSha256,
      List<Transition> transitions, String retryOf, String retriedBy, String workerId) {}

  record Page(List<View> items, String next) {}

  record Line(long seq, String stream, Instant at, String text) {}

  record Lines(List<Line> lines, long next, boolean ended) {}

  record Output(String path, long size, String sha256) {}

  record Outputs(List<Output> outputs) {}
}
