package dev.rgrid.core.internal.engine;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.internal.batch.Globs;
import dev.rgrid.core.internal.batch.OutputFolders;
import dev.rgrid.core.internal.batch.Placement;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Batches: forming and submitting them, and their progress, cancellation and retry by id. */
final class Batches {
  private static final int PAGE = 500;

  private final Engine engine;
  private final EngineContext ctx;
  private final SecureRandom random = new SecureRandom();

  Batches(Engine engine) {
    this.engine = engine;
    this.ctx = engine.context();
  }

  /** Expands the inputs, stores the batch and submits one execution per input. */
  Batch submit(BatchSpec spec) {
    RunSpec template = spec.template();
    Path base = template.baseDirectory().toAbsolutePath().normalize();
    List<Path> inputs = inputs(spec, base);
    List<String> folders = OutputFolders.assign(base, inputs);
    String scriptName = template.script().getFileName().toString();
    String runtime = template.runtime() == null || template.runtime().isBlank()
        ? ctx.catalog().forScript(scriptName).name()
        : ctx.catalog().resolve(template.runtime()).name();
    engine.spending().checkBeforeRun(Spending.accountOf(template.labels()));
    Instant now = ctx.clock().instant();
    BatchId id = BatchId.generate(now, random);
    ctx.store().createBatch(new BatchRecord(id, now, scriptName, runtime, inputs.size(),
        spec.parallel(), template.labels()));
    LocalBatch batch = new LocalBatch(engine, id, inputs, folders, spec.listener(), ctx.clock());
    for (int i = 0; i < inputs.size(); i++) {
      RunSpec run = forInput(template, argument(base, inputs.get(i)),
          batch.listenerFor(i, template.listener()));
      try {
        Execution e = engine.submit(run, id.value(), spec.parallel(), false);
        batch.submitted(i, e.id());
      } catch (RGridException e) {
        if (i == 0) {
          // The first input failing is almost always the script or an option: say so at once
          // rather than failing every input the same way.
          throw e;
        }
        batch.notSubmitted(i, e.getMessage());
      }
    }
    return batch;
  }

  /** The inputs: globs expanded in {@code base}, plus those named, each once, by path. */
  private static List<Path> inputs(BatchSpec spec, Path base) {
    TreeSet<Path> all = new TreeSet<>(Globs.PATH_ORDER);
    if (!spec.globs().isEmpty()) {
      all.addAll(Globs.expand(base, spec.globs(), spec.maxInputs()));
    }
    List<String> unreadable = new ArrayList<>();
    for (Path named : spec.inputs()) {
      Path p = base.resolve(named).toAbsolutePath().normalize();
      if (!Files.isRegularFile(p)) {
        throw new InvalidRunSpecException("batch input " + named + " is not a file",
            Files.exists(p) ? "name files, or use a pattern such as '" + named + "/*'"
                : "check the path; relative paths start at " + base);
      }
      all.add(p);
    }
    if (all.size() > spec.maxInputs()) {
      throw new InvalidRunSpecException("the batch has " + all.size() + " inputs, more than "
          + spec.maxInputs(), "narrow the patterns or split the work into several batches");
    }
    for (Path p : all) {
      if (!Files.isReadable(p)) {
        unreadable.add(p.toString());
      }
    }
    if (!unreadable.isEmpty()) {
      String shown = String.join(", ", unreadable.subList(0, Math.min(5, unreadable.size())))
          + (unreadable.size() > 5 ? " and " + (unreadable.size() - 5) + " more" : "");
      throw new InvalidRunSpecException(unreadable.size() + " batch input"
          + (unreadable.size() == 1 ? " cannot" : "s cannot") + " be read: " + shown,
          "fix their permissions or leave them out; nothing was submitted");
    }
    return List.copyOf(all);
  }

  /** How an input is written in the script's arguments: relative to the base when inside it. */
  private static String argument(Path base, Path input) {
    String shown = input.startsWith(base) ? base.relativize(input).toString() : input.toString();
    // A name starting with '-' would be taken for an option, by RGrid and by the script.
    return shown.startsWith("-") ? "./" + shown : shown;
  }

  private static RunSpec forInput(RunSpec t, String input,
      dev.rgrid.core.ExecutionListener listener) {
    return new RunSpec(t.script(), Placement.place(t.args(), input), t.inputs(), t.env(),
        t.runtime(), t.timeout(), t.labels(), t.resources(), t.network(), null, listener,
        t.baseDirectory(), t.requirementsFile(), t.detectDependencies(), t.cache(), t.retry());
  }

  /** The progress of a stored batch, from the store. */
  BatchProgress progress(BatchId id) {
    BatchRecord batch = find(id);
    BatchSummary s = ctx.store().batchSummary(id);
    long missing = Math.max(0, batch.size() - s.total());
    int succeeded = (int) s.count(ExecutionStatus.SUCCEEDED);
    int failed = (int) (s.count(ExecutionStatus.FAILED) + s.count(ExecutionStatus.TIMED_OUT));
    int cancelled = (int) s.count(ExecutionStatus.CANCELLED);
    boolean done = s.count(ExecutionStatus.QUEUED) + s.count(ExecutionStatus.RUNNING) == 0;
    Instant end = done && s.lastFinished() != null ? s.lastFinished() : ctx.clock().instant();
    // Inputs that never became executions (not submitted) count as failed, as they did live.
    return BatchProgress.of(batch.size(), (int) s.count(ExecutionStatus.QUEUED),
        (int) s.count(ExecutionStatus.RUNNING), succeeded, failed + (int) missing, cancelled,
        (int) Math.min(s.cached(), succeeded), s.costMicros(),
        Duration.between(batch.createdAt(), end));
  }

  /** The stored batch. */
  BatchRecord find(BatchId id) {
    return ctx.store().findBatch(id).orElseThrow(() -> new NotFoundException("no batch " + id,
        "run `rgrid list` to see recent executions and their batches"));
  }

  /** Cancels every execution of the batch that has not ended; returns how many. */
  int cancel(BatchId id) {
    find(id);
    int n = 0;
    for (ExecutionRecord r : all(id, Set.of(ExecutionStatus.QUEUED, ExecutionStatus.RUNNING))) {
      if (engine.cancel(r.id())) {
        n++;
      }
    }
    return n;
  }

  /**
   * Retries every execution of the batch that ended unsuccessfully and was not retried yet:
   * failed and timed out ones, and cancelled ones unless {@code failedOnly}.
   */
  List<Execution> retry(BatchId id, boolean failedOnly) {
    find(id);
    Set<ExecutionStatus> statuses = failedOnly
        ? Set.of(ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT)
        : Set.of(ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.CANCELLED);
    List<Execution> retried = new ArrayList<>();
    for (ExecutionRecord r : all(id, statuses)) {
      if (r.retriedBy() != null) {
        continue;
      }
      try {
        retried.add(engine.retry(r.id()));
      } catch (ConflictException e) {
        // Retried meanwhile by someone else: that retry stands for it.
      }
    }
    return retried;
  }

  /** Every execution of the batch in {@code statuses}, oldest first, read page by page. */
  private List<ExecutionRecord> all(BatchId id, Set<ExecutionStatus> statuses) {
    List<ExecutionRecord> out = new ArrayList<>();
    ExecutionId before = null;
    while (true) {
      ExecutionPage page = ctx.store().list(new ExecutionQuery(statuses, Map.of(), id.value(),
          before, PAGE));
      out.addAll(page.items());
      if (page.items().size() < PAGE) {
        break;
      }
      before = page.items().get(page.items().size() - 1).id();
    }
    java.util.Collections.reverse(out);
    return out;
  }
}
