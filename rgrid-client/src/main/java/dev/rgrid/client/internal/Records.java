package dev.rgrid.client.internal;

import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.ParentLink;
import dev.rgrid.spi.store.Resources;
import dev.rgrid.spi.store.RetryPolicy;
import dev.rgrid.spi.store.StatusTransition;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Converts between the wire shapes and the library's records. A server answer that cannot be a
 * record (a field missing, a malformed id) is the server's fault, reported as such rather than as
 * an {@link IllegalArgumentException} the caller would take for its own misuse.
 */
final class Records {
  private final String server;

  Records(String server) {
    this.server = server;
  }

  /** The request that submits {@code spec}; the server chooses what {@code run} left open. */
  static Wire.CreateRequest create(ExecutionSpec spec, RunSpec run) {
    Function<List<InputFile>, List<Wire.FileRef>> refs = files -> files.stream()
        .map(f -> new Wire.FileRef(f.path(), f.blob().sha256())).toList();
    return new Wire.CreateRequest(new Wire.FileRef(spec.scriptName(), spec.script().sha256()),
        spec.args(), spec.env(), refs.apply(spec.inputs()),
        run.runtime() == null || run.runtime().isBlank() ? null : spec.runtime(),
        // Whole seconds on the wire; rounded up so a short timeout never becomes none.
        run.timeout() == null ? null : (run.timeout().toMillis() + 999) / 1000,
        spec.labels(), spec.resources().milliCpus(), spec.resources().memoryBytes(),
        // Sent only when there are some: a server that predates them refuses the unknown field
        // (400) rather than place the run anywhere, and one without any still takes the run.
        spec.resources().constraints().isEmpty() ? null : spec.resources().constraints(),
        spec.network(), spec.requirements(), spec.requirementsSource(),
        refs.apply(spec.scriptFiles()), spec.cache(), spec.batchId(), spec.secrets(),
        spec.parents().isEmpty() ? null : spec.parents().stream()
            .map(p -> new Wire.Parent(p.parent() == null ? null : p.parent().value(),
                p.batch() == null ? null : p.batch().value(), p.glob(),
                // Left out unless set: a server that predates it refuses the field.
                p.item() ? Boolean.TRUE : null)).toList(),
        // Sent only when it is not the default, which a server applies when none is sent.
        spec.retry().equals(RetryPolicy.defaults()) ? null : retry(spec.retry()));
  }

  private static Wire.Retry retry(RetryPolicy p) {
    return new Wire.Retry(p.maxRetries(), p.initialDelay().toMillis(), p.multiplier(),
        p.maxDelay().toMillis(), p.retryOn().stream().map(FailureKind::code).sorted().toList(),
        p.jitter().name());
  }

  /** The batch the server's view describes. */
  BatchRecord batch(Wire.Batch b) {
    try {
      return new BatchRecord(BatchId.of(required(b.id(), "id")),
          required(b.createdAt(), "createdAt"), required(b.script(), "script"),
          required(b.runtime(), "runtime"), b.size(), b.parallel(), orEmpty(b.labels()));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw malformed("batch " + b.id(), e);
    }
  }

  /** The progress of a batch as the server reports it. */
  BatchProgress progress(Wire.Batch b) {
    try {
      Wire.BatchProgress p = required(b.progress(), "progress");
      return new BatchProgress(p.total(), p.queued(), p.running(), p.succeeded(), p.failed(),
          p.cancelled(), p.cached(), p.costMicros(), p.elapsed(),
          java.util.Optional.ofNullable(p.eta()));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw malformed("progress of batch " + b.id(), e);
    }
  }

  /** The record the server's view describes. */
  ExecutionRecord record(Wire.View v) {
    try {
      ExecutionSpec spec = new ExecutionSpec(required(v.script(), "script"),
          new BlobKey(required(v.scriptSha256(), "scriptSha256")),
          required(v.runtime(), "runtime"), orEmpty(v.args()), orEmpty(v.env()),
          files(v.inputs()), Duration.ofSeconds(Math.max(1, v.timeoutSeconds())),
          orEmpty(v.labels()), v.batchId(), new Resources(v.milliCpus(), v.memoryBytes(),
              orEmpty(v.constraints())),
          v.network(), orEmpty(v.requirements()), v.requirementsSource(),
          files(v.scriptFiles()), v.cache() == null || v.cache(), retry(v.retry()),
          orEmpty(v.secrets()), parents(v.parents()));
      ExecutionStatus status = ExecutionStatus.valueOf(required(v.status(), "status"));
      List<StatusTransition> transitions = v.transitions() == null
          ? List.of(new StatusTransition(ExecutionStatus.QUEUED, v.createdAt(), 1))
          : v.transitions().stream().map(t -> new StatusTransition(
              ExecutionStatus.valueOf(t.status()), t.at(), t.attempt())).toList();
      return new ExecutionRecord(ExecutionId.of(required(v.id(), "id")), spec, status,
          required(v.createdAt(), "createdAt"), transitions, Math.max(1, v.attempt()),
          v.workerId() == null ? null : new WorkerId(v.workerId()), v.exitCode(),
          failure(v.failure()), v.startedAt(), v.finishedAt(), v.cancelRequested(),
          v.logTruncated(), blob(v.stdoutSha256()), blob(v.stderrSha256()), v.cached(),
          v.cachedFrom() == null ? null : ExecutionId.of(v.cachedFrom()), v.costMicros(),
          null, // the result cache key stays on the server
          v.retryOf() == null ? null : ExecutionId.of(v.retryOf()),
          v.retriedBy() == null ? null : ExecutionId.of(v.retriedBy()));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw malformed("execution " + v.id(), e);
    }
  }

  LogLine line(Wire.Line l) {
    try {
      return new LogLine(l.seq(), LogStream.valueOf(l.stream().toUpperCase(Locale.ROOT)),
          l.at(), l.text());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw malformed("log line " + l.seq(), e);
    }
  }

  Artifact artifact(Wire.Output o) {
    try {
      return new Artifact(o.path(), o.size(), new BlobKey(o.sha256()));
    } catch (IllegalArgumentException | NullPointerException e) {
      // Also what an output path escaping the working directory ends as.
      throw malformed("output '" + o.path() + "'", e);
    }
  }

  private RGridException malformed(String what, RuntimeException e) {
    return new RGridException("the RGrid server at " + server + " sent a malformed " + what
        + ": " + e.getMessage(), "check that client and server versions match", null, e);
  }

  private static List<InputFile> files(List<Wire.StagedFile> files) {
    return files == null ? List.of() : files.stream()
        .map(f -> new InputFile(f.path(), new BlobKey(f.sha256()), f.size())).toList();
  }

  private static List<ParentLink> parents(List<Wire.Parent> parents) {
    return parents == null ? List.of() : parents.stream().map(p -> p.execution() != null
        ? new ParentLink(ExecutionId.of(p.execution()), null, p.glob(),
            Boolean.TRUE.equals(p.item()))
        : new ParentLink(BatchId.of(required(p.batch(), "batch")), p.glob())).toList();
  }

  private static RetryPolicy retry(Wire.Retry r) {
    if (r == null) {
      return RetryPolicy.defaults();
    }
    EnumSet<FailureKind> kinds = EnumSet.noneOf(FailureKind.class);
    orEmpty(r.retryOn()).forEach(code -> kinds.add(FailureKind.fromCode(code)));
    return new RetryPolicy(r.maxRetries(), Duration.ofMillis(r.initialDelayMillis()),
        r.multiplier(), Duration.ofMillis(r.maxDelayMillis()), kinds,
        RetryPolicy.Jitter.valueOf(r.jitter()));
  }

  private static FailureReason failure(Wire.Failure f) {
    return f == null ? null
        : new FailureReason(FailureKind.fromCode(f.kind()), f.message(), f.hint());
  }

  private static BlobKey blob(String sha256) {
    return sha256 == null ? null : new BlobKey(sha256);
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("'" + field + "' is missing");
    }
    return value;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static Map<String, String> orEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }
}
