package dev.rgrid.core.internal.execution;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Limits;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.internal.runtime.Environments;
import dev.rgrid.core.internal.secret.SecretMasker;
import dev.rgrid.core.internal.secret.SecretVault;
import dev.rgrid.core.internal.spec.CommandLine;
import dev.rgrid.core.internal.submit.InputResolver;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.DependencyInstallException;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt of an execution in a container: prepares its runtime and environment, stages
 * the script and inputs in a workspace, starts it, streams its output, enforces its timeout and
 * cancellation, collects its outputs and hands how it ended to {@link AttemptRecords}.
 */
public final class ContainerRun {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerRun.class);
  private static final Duration SLICE = Duration.ofMillis(100);
  private static final Duration CANCEL_CHECK = Duration.ofMillis(250);
  private static final Duration KILL_GRACE = Duration.ofSeconds(30);

  private final MetadataStore store;
  private final BlobStore blobs;
  private final ContainerRuntime runtime;
  private final RuntimeCatalog catalog;
  private final Environments environments;
  private final Clock clock;
  private final Limits limits;
  private final WorkerId worker;
  private final LocalState local;
  private final AttemptRecords records;
  private final OutputCollector outputs;
  private final Workspace.Pool workspaces;
  private final SecretVault secrets;

  /**
   * Attempts run by {@code worker} on {@code runtime} (runtimes resolved in {@code catalog},
   * Python requirements installed by {@code environments}) in workspaces under {@code workRoot},
   * their scripts, inputs, output and logs in {@code blobs} and {@code store} within {@code
   * limits}, their ends recorded by {@code records}; {@code local} holds their listeners, standard
   * input and handles; their secrets are decrypted by {@code secrets}.
   */
  public ContainerRun(MetadataStore store, BlobStore blobs, ContainerRuntime runtime,
      RuntimeCatalog catalog, Environments environments, Clock clock, Limits limits,
      WorkerId worker, Path workRoot, LocalState local, AttemptRecords records,
      SecretVault secrets) {
    this.secrets = secrets;
    this.store = store;
    this.blobs = blobs;
    this.runtime = runtime;
    this.catalog = catalog;
    this.environments = environments;
    this.clock = clock;
    this.limits = limits;
    this.worker = worker;
    this.local = local;
    this.records = records;
    this.outputs = new OutputCollector(blobs, limits);
    this.workspaces = new Workspace.Pool(workRoot);
  }

  /** Deletes the workspaces kept for reuse; called once no execution runs. */
  void close() {
    workspaces.clear();
  }

  /** How the process ended, seen from the engine. */
  private enum Ending { EXITED, TIMED_OUT, CANCELLED, LOST }

  /**
   * Whether this is the first time the execution runs, so no log line can be stored yet: lines
   * are written only while running (notes of a failed attempt come after a RUNNING too).
   */
  private static boolean firstRun(ExecutionRecord running) {
    return running.attempt() == 1 && running.transitions().stream()
        .filter(t -> t.status() == ExecutionStatus.RUNNING).count() == 1;
  }

  /** Runs the attempt {@code record} (RUNNING here) to its end, {@code handle} tracking it. */
  void run(ExecutionRecord record, LocalState.Running handle) {
    ExecutionId id = record.id();
    ExecutionSpec spec = record.spec();
    RuntimeDefinition def;
    try {
      def = catalog.resolve(spec.runtime());
      runtime.prepare(def);
    } catch (RuntimeUnavailableException | InvalidRunSpecException e) {
      records.finish(record, b -> b.failure(new FailureReason(FailureKind.RUNTIME_UNAVAILABLE,
          e.getMessage(), e.hint().orElse(null))).transition(ExecutionStatus.FAILED,
              clock.instant()));
      return;
    }
    if (!spec.resources().constraints().isEmpty() && !runtime.capabilities().places()) {
      // A server accepts constraints for whichever workers take the run; this worker cannot
      // honour them, and running the script on any machine would ignore what was asked.
      records.finish(record, b -> b.failure(new FailureReason(FailureKind.RUNTIME_UNAVAILABLE,
          "placement constraints " + spec.resources().constraints() + " need a runtime that "
              + "places runs; worker " + worker.value() + " runs on the " + runtime.name()
              + " runtime", "run workers with --engine swarm, or submit without --constraint"))
          .transition(ExecutionStatus.FAILED, clock.instant()));
      return;
    }
    // Decrypted only now, on the worker that starts it: values live in this attempt's memory,
    // the container's environment and the masker, never in the record or the queue.
    Map<String, String> secretEnv;
    try {
      secretEnv = secrets.resolve(SecretVault.scopeOf(spec), spec.secrets());
      // Checked at submission without the values, which may have grown since: the kernel's
      // limits on the environment hold with them too (the messages name no value).
      CommandLine.check(spec.args(), withSecrets(spec.env(), secretEnv));
    } catch (BackendUnavailableException e) {
      throw e;
    } catch (RGridException e) {
      records.finish(record, b -> b.failure(new FailureReason(FailureKind.INPUT_ERROR,
          e.getMessage(), e.hint().orElse(null))).transition(ExecutionStatus.FAILED,
              clock.instant()));
      return;
    }
    // Phase timings for `-Dorg.slf4j.simpleLogger.log.dev.rgrid=debug` (see docs/benchmarks.md).
    long t0 = System.nanoTime();
    long started;
    long exited;
    try (Workspace ws = workspaces.take()) {
      LogCollector logs = new LogCollector(id, store, blobs, clock, limits, local.listener(id),
          ws.tmpDir(), firstRun(record), SecretMasker.of(secretEnv.values()));
      Environments.Prepared environment;
      try {
        environment = environments.prepare(def, spec.requirements(), logs::note);
      } catch (DependencyInstallException | UnsupportedOperationException e) {
        failInstall(record, e, logs);
        return;
      }
      // Leased until the container is gone: garbage collection never removes it meanwhile.
      try (environment) {
        def = environment.definition();
        ws.stage(blobs, spec.scriptName(), spec.script(), spec.inputs());
        ws.stageBesideScript(blobs, spec.scriptFiles());
        long staged = System.nanoTime();
        ContainerPaths paths = runtime.paths(ws.workDir(), ws.scriptDir(), spec.scriptName());
        ContainerSpec cs = new ContainerSpec(id.value() + "-" + record.attempt(), def,
            ws.scriptDir(), spec.scriptName(), ws.workDir(),
            InputResolver.atWorkDir(spec.args(), spec.inputs(), paths.workDir()),
            withSecrets(spec.env(), secretEnv),
            new dev.rgrid.spi.runtime.Limits(spec.resources().milliCpus(),
                spec.resources().memoryBytes(), 0, spec.network(),
                spec.resources().constraints()),
            Map.of(LostAttempts.EXECUTION, id.value(), LostAttempts.WORKER, worker.value(),
                LostAttempts.ATTEMPT, Integer.toString(record.attempt())),
            local.stdin(id));
        Ending ending;
        Optional<ExitResult> exit;
        try (Container container = runtime.start(cs, logs)) {
          started = System.nanoTime();
          handle.attach(container);
          exit = Optional.empty();
          ending = null;
          Instant deadline = clock.instant().plus(spec.timeout());
          Instant nextCancelCheck = clock.instant().plus(CANCEL_CHECK);
          while (ending == null) {
            Instant now = clock.instant();
            if (handle.lost()) {
              ending = Ending.LOST;
            } else if (handle.cancelled()) {
              ending = Ending.CANCELLED;
            } else if (!now.isBefore(deadline)) {
              ending = Ending.TIMED_OUT;
            } else {
              Duration left = Duration.between(now, deadline);
              exit = container.await(left.compareTo(SLICE) < 0 ? left : SLICE);
              if (exit.isPresent()) {
                // A kill by cancel or by a lost lease also ends the process: say why it ended.
                ending = handle.lost() ? Ending.LOST
                    : handle.cancelled() ? Ending.CANCELLED : Ending.EXITED;
              } else {
                logs.flushIfDue();
                if (!now.isBefore(nextCancelCheck)) {
                  nextCancelCheck = now.plus(CANCEL_CHECK);
                  if (store.get(id).cancelRequested()) {
                    handle.cancel();
                  }
                }
              }
            }
          }
          if (ending != Ending.EXITED) {
            container.kill();
            container.await(KILL_GRACE);
          } else {
            handle.exited(exit.orElseThrow().exitCode());
          }
          exited = System.nanoTime();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          logs.discard();
          throw new RGridException("interrupted while running " + id, null, id.value(), e);
        }
        if (ending == Ending.LOST) {
          logs.discard();
          LOG.warn("stopped {}: {}", id, handle.why());
          return;
        }
        LogCollector.Captured captured = logs.finish();
        ended(record, ending, exit, captured, ws, logs);
        if (LOG.isDebugEnabled()) {
          LOG.debug("{} timings: stage {} ms, start {} ms, script {} ms, collect {} ms", id,
              ms(staged - t0), ms(started - staged), ms(exited - started),
              ms(System.nanoTime() - exited));
        }
      }
    }
  }

  private void ended(ExecutionRecord record, Ending ending, Optional<ExitResult> exit,
      LogCollector.Captured captured, Workspace ws, LogCollector logs) {
    Instant now = clock.instant();
    if (ending == Ending.CANCELLED) {
      records.finish(record, b -> AttemptRecords.captured(b, captured).failure(new FailureReason(
          FailureKind.CANCELLED, "cancelled while running", null))
          .transition(ExecutionStatus.CANCELLED, now));
      return;
    }
    if (ending == Ending.TIMED_OUT) {
      records.finish(record, b -> AttemptRecords.captured(b, captured).failure(new FailureReason(
          FailureKind.TIMEOUT, "ran longer than its timeout of "
          + Failures.human(record.spec().timeout()) + " and was killed",
          "pass a longer --timeout if it needs more time"))
          .transition(ExecutionStatus.TIMED_OUT, now));
      return;
    }
    List<Artifact> artifacts = List.of();
    FailureReason failure = null;
    try {
      OutputCollector.Collected collected = outputs.collect(ws.workDir(), record.spec().inputs());
      artifacts = collected.artifacts();
      if (!collected.skipped().isEmpty()) {
        logs.note("not collected as outputs: " + String.join(", ", collected.skipped()));
      }
    } catch (OutputLimitException e) {
      failure = new FailureReason(FailureKind.OUTPUT_LIMIT, e.getMessage(), e.hint().orElse(null));
    }
    records.exited(record, now, exit.orElseThrow(), captured, artifacts, failure);
  }

  private void failInstall(ExecutionRecord record, RuntimeException e, LogCollector logs) {
    if (e instanceof DependencyInstallException d) {
      d.errorLines().forEach(logs::note);
    }
    LogCollector.Captured captured = logs.finish();
    FailureReason reason = Failures.installFailure(e, runtime.name());
    records.finish(record, b -> AttemptRecords.captured(b, captured).failure(reason)
        .transition(ExecutionStatus.FAILED, clock.instant()));
  }

  /**
   * The script's environment: its plain variables and its secrets. On Docker the values are in
   * the container's configuration (as any environment is, visible to who may inspect it on the
   * engine), never in its labels.
   */
  private static Map<String, String> withSecrets(Map<String, String> env,
      Map<String, String> secretEnv) {
    if (secretEnv.isEmpty()) {
      return env;
    }
    Map<String, String> all = new java.util.HashMap<>(env);
    all.putAll(secretEnv);
    return all;
  }

  private static String ms(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
  }
}
