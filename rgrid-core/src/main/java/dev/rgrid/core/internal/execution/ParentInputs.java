package dev.rgrid.core.internal.execution;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.internal.batch.LatestRuns;
import dev.rgrid.core.internal.batch.Placement;
import dev.rgrid.core.internal.cache.ResultCache;
import dev.rgrid.core.internal.spec.OutputGlobs;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.ParentLink;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Readies a released child for its run: the outputs of its parents that it takes ({@code rgrid run
 * --from ID:PATH}) become inputs under their own paths (a batch's under a folder per input), and its result cache key is computed now,
 * over those inputs' content hashes, so an unchanged chain of runs is keyed the same each time;
 * an earlier success under that key ends it at once without running, as a hit at submission does.
 * The stored spec keeps only the links; the inputs are found again for every attempt.
 */
public final class ParentInputs {
  private final MetadataStore store;
  private final ResultCache cache;
  private final AttemptRecords records;
  private final Clock clock;
  private final LocalState local;

  /**
   * Reads parents' outputs in {@code store}, keys and reuses results through {@code cache},
   * records ends through {@code records}; a reused result's output goes to the listener {@code
   * local} holds.
   */
  public ParentInputs(MetadataStore store, ResultCache cache, AttemptRecords records,
      Clock clock, LocalState local) {
    this.local = local;
    this.store = store;
    this.cache = cache;
    this.records = records;
    this.clock = clock;
  }

  /**
   * {@code running} (RUNNING here) as it runs: with its parents' outputs among its inputs and its
   * cache key; or {@code null} when a promised output is missing, the run then recorded as failed.
   */
  ExecutionRecord ready(ExecutionRecord running) {
    if (running.spec().parents().isEmpty()) {
      return running;
    }
    List<InputFile> taken = new ArrayList<>();
    String item;
    try {
      item = outputs(running, taken);
    } catch (InvalidRunSpecException e) {
      records.finish(running, b -> b.failure(new FailureReason(FailureKind.INPUT_ERROR,
          e.getMessage(), e.hint().orElse(null))).transition(ExecutionStatus.FAILED,
              clock.instant()));
      return null;
    }
    ExecutionSpec spec = running.spec().withMoreInputs(taken);
    if (item != null) {
      // Placed before the key is computed, so the key covers the arguments the script gets.
      spec = withArgs(spec, Placement.place(spec.args(), item.startsWith("-") ? "./" + item
          : item));
    }
    ExecutionRecord withInputs = withSpec(running, spec);
    String key = spec.cache() ? cache.key(withInputs) : null;
    if (key == null) {
      return withInputs;
    }
    ExecutionRecord keyed = store.update(running.id(), Set.of(ExecutionStatus.RUNNING),
        r -> r.toBuilder().cacheKey(key).build());
    Optional<ExecutionRecord> earlier = cache.reusable(key);
    if (earlier.isPresent()) {
      reuse(keyed, earlier.get());
      return null;
    }
    return withSpec(keyed, spec);
  }

  /**
   * Ends {@code keyed} from {@code original}, an earlier success of the same script on the same
   * inputs, as a cache hit at submission does: its exit code, exact output and artifacts, and the
   * output replayed to this instance's listener.
   */
  private void reuse(ExecutionRecord keyed, ExecutionRecord original) {
    List<Artifact> artifacts = store.artifacts(original.id());
    if (!artifacts.isEmpty()) {
      store.putArtifacts(keyed.id(), artifacts);
    }
    cache.replay(original, local.listener(keyed.id()));
    records.finish(keyed, b -> b.cachedFrom(original.id()).exitCode(original.exitCode())
        .stdout(original.stdout()).stderr(original.stderr())
        .logTruncated(original.logTruncated())
        .transition(ExecutionStatus.SUCCEEDED, clock.instant()));
  }

  /**
   * Adds the parents' outputs it takes to {@code taken}; returns the path of the one a batch run
   * fed by another batch's run takes from it (which fills its {@code {}}), or {@code null}.
   */
  private String outputs(ExecutionRecord running, List<InputFile> taken) {
    Map<String, String> owners = new HashMap<>();
    running.spec().inputs().forEach(f -> owners.put(f.path(), "its own inputs"));
    String item = null;
    for (ParentLink link : running.spec().parents()) {
      if (link.glob() == null) {
        continue;
      }
      PathMatcher matcher = OutputGlobs.matcher(link);
      if (link.batch() != null) {
        fanIn(link, matcher, owners, taken);
        continue;
      }
      List<Artifact> all = store.artifacts(link.parent());
      // A fanned-out run's link names its output's exact path, which may hold glob characters
      // ("a[1].csv"): the output of that very path is the one it takes.
      List<Artifact> exact = link.item() ? all.stream()
          .filter(a -> a.path().equals(link.glob())).toList() : List.of();
      List<Artifact> matched = !exact.isEmpty() ? exact : all.stream()
          .filter(a -> matcher.matches(Path.of(a.path()))).toList();
      if (matched.isEmpty()) {
        throw new InvalidRunSpecException(link.parent() + " produced no " + link.glob(),
            "see what it wrote with `rgrid status " + link.parent() + "`, then name one of its "
                + "outputs in --from");
      }
      if (link.item() && matched.size() > 1) {
        throw new InvalidRunSpecException(link.parent() + " produced " + matched.size()
            + " outputs matching " + link.glob() + " (" + shownPaths(matched) + "); a run of a "
            + "batch fed by --batch-from takes exactly one", "narrow the glob so that it "
            + "matches one output of each run");
      }
      if (link.item()) {
        item = matched.get(0).path();
      }
      for (Artifact a : matched) {
        take(owners, taken, a.path(), a, "the outputs of " + link.parent());
      }
    }
    return item;
  }

  private static String shownPaths(List<Artifact> matched) {
    List<String> paths = matched.stream().limit(3).map(Artifact::path).toList();
    return String.join(", ", paths) + (matched.size() > 3 ? ", …" : "");
  }

  private static ExecutionSpec withArgs(ExecutionSpec s, List<String> args) {
    return new ExecutionSpec(s.scriptName(), s.script(), s.runtime(), args, s.env(), s.inputs(),
        s.timeout(), s.labels(), s.batchId(), s.resources(), s.network(), s.requirements(),
        s.requirementsSource(), s.scriptFiles(), s.cache(), s.retry(), s.secrets(),
        s.parents());
  }

  /**
   * Takes the outputs of every latest run of {@code link}'s batch that its glob matches, each
   * under {@code <input folder>/<output path>} as {@code rgrid download BATCH_ID} lays them out,
   * so that two runs' files of the same name never collide. The glob is matched against the
   * output's path in its run and against that laid-out name, so {@code **}{@code /part.csv}
   * takes each run's part.csv wherever it wrote it. Only the runs' ids and folders are held for
   * the whole batch (read a page at a time); each run's outputs are read in turn.
   */
  private void fanIn(ParentLink link, PathMatcher matcher, Map<String, String> owners,
      List<InputFile> taken) {
    int before = taken.size();
    String from = "the outputs of " + link.batch();
    for (LatestRuns.Run run : LatestRuns.of(store::list, link.batch())) {
      for (Artifact a : store.artifacts(run.id())) {
        String name = run.folder() + "/" + a.path();
        if (matcher.matches(Path.of(a.path())) || matcher.matches(Path.of(name))) {
          take(owners, taken, name, a, from);
        }
      }
    }
    if (taken.size() == before) {
      throw new InvalidRunSpecException(link.batch() + " produced no " + link.glob(),
          "see what its runs wrote with `rgrid download " + link.batch() + "`, then name one "
              + "of their outputs in --from");
    }
  }

  /** Adds {@code a} as the input {@code name}, unless another source already took that name. */
  private static void take(Map<String, String> owners, List<InputFile> taken, String name,
      Artifact a, String from) {
    String before = owners.putIfAbsent(name, from);
    if (before != null && !before.equals(from)) {
      throw new InvalidRunSpecException("two inputs are named " + name + " (from " + before
          + " and " + from + ")", "take only one of them with --from");
    }
    if (before == null) {
      taken.add(new InputFile(name, a.blob(), a.size()));
    }
  }

  private static ExecutionRecord withSpec(ExecutionRecord r, ExecutionSpec spec) {
    return new ExecutionRecord(r.id(), spec, r.status(), r.createdAt(), r.transitions(),
        r.attempt(), r.workerId(), r.exitCode(), r.failure(), r.startedAt(), r.finishedAt(),
        r.cancelRequested(), r.logTruncated(), r.stdout(), r.stderr(), r.cached(), r.cachedFrom(),
        r.costMicros(), r.cacheKey(), r.retryOf(), r.retriedBy());
  }
}
