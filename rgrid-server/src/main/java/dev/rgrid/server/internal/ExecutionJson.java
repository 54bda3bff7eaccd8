package dev.rgrid.server.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.rgrid.core.pipeline.Pipeline;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.ParentLink;
import dev.rgrid.spi.store.RetryPolicy;
import dev.rgrid.spi.store.StatusTransition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The JSON shapes of the execution routes. */
public final class ExecutionJson {
  /** The label of a fed batch's run naming its folder (as the library's FedBatches sets it). */
  static final String ITEM_LABEL = "rgrid.item";
  /**
   * The label of a fan-out's template run; the library takes it only on the one template of a
   * batch that fans out later (AccountView.submit).
   */
  static final String FAN_OUT_LABEL = "rgrid.fan-out";

  private ExecutionJson() {}

  /** A content reference: a name or path and the SHA-256 of a blob the caller uploaded. */
  public record FileRef(String path, String sha256) {}

  /**
   * {@code POST /api/v1/executions}: a run the client prepared (script and inputs uploaded as
   * blobs, arguments already pointing at {@code /work/<path>}), as an execution of one of the
   * caller's batches when {@code batchId} names one.
   */
  public record CreateRequest(FileRef script, List<String> args, Map<String, String> env,
      List<FileRef> inputs, String runtime, Long timeoutSeconds, Map<String, String> labels,
      Long milliCpus, Long memoryBytes, List<String> constraints, Boolean network,
      List<String> requirements, String requirementsSource, List<FileRef> scriptFiles,
      Boolean cache, String batchId, Map<String, String> secrets, List<Parent> parents,
      RetryRequest retry) {}

  /**
   * When failed attempts of a submitted run are retried on their own: each field left out takes
   * the value of the default policy ({@code RetryPolicy.defaults()}), so {@code {"maxRetries":
   * 5}} is the default policy with five retries.
   */
  public record RetryRequest(Integer maxRetries, Long initialDelayMillis, Double multiplier,
      Long maxDelayMillis, List<String> retryOn, String jitter) {}

  /**
   * A run an execution waits for: exactly one of {@code execution} and {@code batch} (every run
   * of it), and the outputs of it taken as inputs ({@code glob}), or none to wait only. {@code
   * item} (shown only when true) marks the link of a fed batch's run to its parent run: an
   * execution and a glob whose one match fills the run's {@code {}}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Parent(String execution, String batch, String glob, Boolean item) {
    static Parent of(ParentLink link) {
      return new Parent(link.parent() == null ? null : link.parent().value(),
          link.batch() == null ? null : link.batch().value(), link.glob(),
          link.item() ? Boolean.TRUE : null);
    }
  }

  /**
   * Whether a label is shown to clients: theirs, the pipeline's, a fed batch run's folder and a
   * fan-out's template mark (which its client sets), but none of the other labels RGrid sets itself (the account's).
   */
  static boolean shownLabel(String key) {
    return !key.startsWith("rgrid.") || CLIENT_LABELS.contains(key);
  }

  /**
   * The reserved labels a client may set: those of a pipeline's runs, and the folder of a fed
   * batch's run ({@code rgrid.item}, read only beside an item link, and made a safe single
   * folder name wherever it names one), and the mark of a fan-out's template run ({@code
   * rgrid.fan-out}, which the library takes only on the one template of a batch created to fan
   * out later), and that template's bound on its runs ({@code rgrid.fan-out.max-inputs}, a number
   * no larger than the server's own bound). None names an account or grants anything.
   */
  static final java.util.Set<String> CLIENT_LABELS = java.util.Set.of(
      Pipeline.PIPELINE_LABEL, Pipeline.STEP_LABEL, Pipeline.FILE_LABEL, ITEM_LABEL,
      FAN_OUT_LABEL, "rgrid.fan-out.max-inputs");

  /** The failure of an execution. */
  public record Failure(String kind, String message, String hint) {
    static Failure of(FailureReason f) {
      return f == null ? null : new Failure(f.kind().code(), f.message(), f.hint());
    }
  }

  /** A file staged for an execution: where it goes, its content and its size. */
  public record StagedFile(String path, String sha256, long size) {
    static List<StagedFile> of(List<InputFile> files) {
      return files.stream().map(f -> new StagedFile(f.path(), f.blob().sha256(), f.size()))
          .toList();
    }
  }

  /** One recorded change of status. */
  public record Transition(String status, Instant at, int attempt) {
    static Transition of(StatusTransition t) {
      return new Transition(t.status().name(), t.at(), t.attempt());
    }
  }

  /** When failed attempts of an execution are retried on their own (see RetryPolicy). */
  public record Retry(int maxRetries, long initialDelayMillis, double multiplier,
      long maxDelayMillis, List<String> retryOn, String jitter) {
    static Retry of(RetryPolicy p) {
      return new Retry(p.maxRetries(), p.initialDelay().toMillis(), p.multiplier(),
          p.maxDelay().toMillis(), p.retryOn().stream().map(FailureKind::code).sorted().toList(),
          p.jitter().name());
    }
  }

  /**
   * An execution as the API shows it: its state and everything it runs, so a client can rebuild
   * the library's record from it (only the result cache key stays on the server).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record View(String id, String status, Instant createdAt, Instant startedAt,
      Instant finishedAt, int attempt, Integer exitCode, Failure failure, long costMicros,
      boolean cached, String cachedFrom, String script, String scriptSha256, String runtime,
      List<String> args, Map<String, String> env, List<StagedFile> inputs,
      Map<String, String> labels, long timeoutSeconds, String batchId, long milliCpus,
      long memoryBytes, List<String> constraints, boolean network, List<String> requirements,
      String requirementsSource, List<StagedFile> scriptFiles, boolean cache, Retry retry,
      boolean cancelRequested,
      boolean logTruncated, String stdoutSha256, String stderrSha256,
      List<Transition> transitions, String retryOf, String retriedBy, String workerId,
      Map<String, String> secrets, List<Parent> parents) {
    static View of(ExecutionRecord r) {
      ExecutionSpec s = r.spec();
      Map<String, String> labels = new TreeMap<>(s.labels());
      labels.keySet().removeIf(k -> !shownLabel(k)); // the server's, not the user's
      return new View(r.id().value(), r.status().name(), r.createdAt(), r.startedAt(),
          r.finishedAt(), r.attempt(), r.exitCode(), Failure.of(r.failure()), r.costMicros(),
          r.cached(), r.cachedFrom() == null ? null : r.cachedFrom().value(),
          s.scriptName(), s.script().sha256(), s.runtime(), s.args(), new TreeMap<>(s.env()),
          StagedFile.of(s.inputs()), labels, s.timeout().toSeconds(), s.batchId(),
          s.resources().milliCpus(), s.resources().memoryBytes(),
          // Left out when none, as secrets and parents are: most runs may go to any node.
          s.resources().constraints().isEmpty() ? null : s.resources().constraints(), s.network(),
          s.requirements(), s.requirementsSource(), StagedFile.of(s.scriptFiles()), s.cache(),
          Retry.of(s.retry()), r.cancelRequested(), r.logTruncated(),
          r.stdout() == null ? null : r.stdout().sha256(),
          r.stderr() == null ? null : r.stderr().sha256(),
          r.transitions().stream().map(Transition::of).toList(),
          r.retryOf() == null ? null : r.retryOf().value(),
          r.retriedBy() == null ? null : r.retriedBy().value(),
          r.workerId() == null ? null : r.workerId().value(),
          s.secrets().isEmpty() ? null : new TreeMap<>(s.secrets()),
          s.parents().isEmpty() ? null : s.parents().stream().map(Parent::of).toList());
    }
  }

  /** One page of executions; {@code next} is the cursor of the next page, if any. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Page(List<View> items, String next) {}

  /** A log line. */
  public record Line(long seq, String stream, Instant at, String text) {
    static Line of(LogLine l) {
      return new Line(l.seq(), l.stream().name().toLowerCase(java.util.Locale.ROOT), l.at(),
          l.text());
    }
  }

  /** Log lines after a cursor, and whether the execution has ended (no more will come). */
  public record Lines(List<Line> lines, long next, boolean ended) {}

  /** An output file. */
  public record Output(String path, long size, String sha256) {
    static Output of(Artifact a) {
      return new Output(a.path(), a.size(), a.blob().sha256());
    }
  }
}
