package dev.rgrid.core.pipeline;

import dev.rgrid.spi.store.Resources;
import dev.rgrid.spi.store.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One step of a {@link Pipeline}: a script run once (or once per file of {@link #batch()}, or
 * once per run of the batch step {@link #batchFrom()} names), after
 * the steps it needs, taking some of their outputs as inputs. Build one with {@link
 * #builder(String, Path)}; relative paths are resolved in the pipeline's base directory.
 *
 * @param name its name in the pipeline (letters, digits, {@code _} and {@code -}, at most 63)
 * @param script the script file
 * @param args its arguments; one naming a local file uploads it, as with {@code rgrid run}
 * @param inputs local files or directories placed in its working directory
 * @param from outputs of other steps placed in its working directory (each implies a need)
 * @param needs the steps it waits for without taking their outputs
 * @param runtime the runtime name, or {@code null} to choose from the script's suffix
 * @param timeout how long it may run, or {@code null} for RGrid's default
 * @param resources CPU and memory limits and placement constraints
 * @param retry when its failed attempts are retried, or {@code null} for RGrid's default
 * @param labels its own {@code key=value} labels (RGrid adds the pipeline's and the step's)
 * @param batch a glob over local files: the step runs once per matching file (as {@code rgrid
 *     run --batch}), or {@code null} to run once
 * @param parallel how many of a batch step's runs may run at once (0: one per processor)
 * @param batchFrom another batch step whose runs feed this one, one run each, or {@code null}:
 *     each run waits for its own parent run and takes its one output the glob matches in place
 *     of {@code {}} (as {@code rgrid run --batch-from}); {@code batch = "step:glob"} in a file
 */
public record Step(
    String name,
    Path script,
    List<String> args,
    List<Path> inputs,
    List<StepOutput> from,
    List<String> needs,
    String runtime,
    Duration timeout,
    Resources resources,
    RetryPolicy retry,
    Map<String, String> labels,
    String batch,
    int parallel,
    StepOutput batchFrom) {
  /** What a step name may be: it is a label value, a TOML key and a word in the messages. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

  /** Checks the values and copies the collections. */
  public Step {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(script, "script");
    args = List.copyOf(args);
    inputs = List.copyOf(inputs);
    from = List.copyOf(from);
    needs = List.copyOf(needs);
    labels = Map.copyOf(labels);
    resources = resources == null ? Resources.DEFAULT : resources;
  }

  /**
   * An output of another step taken as an input ({@code step:path} in a pipeline file).
   *
   * @param step the step that produces it
   * @param glob a relative path or a glob over that step's outputs ({@code *}, {@code ?},
   *     {@code **}); each match keeps its own path
   */
  public record StepOutput(String step, String glob) {
    /** Checks that both are given. */
    public StepOutput {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(glob, "glob");
    }

    @Override
    public String toString() {
      return step + ":" + glob;
    }
  }

  /** A step without a batch step feeding it. */
  public Step(String name, Path script, List<String> args, List<Path> inputs,
      List<StepOutput> from, List<String> needs, String runtime, Duration timeout,
      Resources resources, RetryPolicy retry, Map<String, String> labels, String batch,
      int parallel) {
    this(name, script, args, inputs, from, needs, runtime, timeout, resources, retry, labels,
        batch, parallel, null);
  }

  /**
   * The steps it waits for: the batch step feeding it, those it takes outputs of, then those it
   * needs, each once.
   */
  public List<String> parents() {
    LinkedHashSet<String> all = new LinkedHashSet<>();
    if (batchFrom != null) {
      all.add(batchFrom.step());
    }
    from.forEach(o -> all.add(o.step()));
    all.addAll(needs);
    return List.copyOf(all);
  }

  /** A builder of step {@code name} running {@code script}. */
  public static Builder builder(String name, Path script) {
    return new Builder(name, script);
  }

  /** Builds a {@link Step}; setters are named after the components. */
  public static final class Builder {
    private final String name;
    private final Path script;
    private final List<String> args = new ArrayList<>();
    private final List<Path> inputs = new ArrayList<>();
    private final List<StepOutput> from = new ArrayList<>();
    private final List<String> needs = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String runtime;
    private Duration timeout;
    private Resources resources;
    private RetryPolicy retry;
    private String batch;
    private int parallel;
    private StepOutput batchFrom;

    private Builder(String name, Path script) {
      this.name = Objects.requireNonNull(name, "name");
      this.script = Objects.requireNonNull(script, "script");
    }

    /** Appends arguments. */
    public Builder args(String... values) {
      return args(List.of(values));
    }

    /** Appends arguments. */
    public Builder args(List<String> values) {
      values.forEach(v -> args.add(Objects.requireNonNull(v, "argument")));
      return this;
    }

    /**
     * Adds an input as a pipeline file writes it: {@code step:path} (a name as steps are named,
     * a colon, then a path or glob) takes that step's outputs, anything else is a local file or
     * directory (write {@code ./a:b} for a local file whose name holds a colon).
     */
    public Builder input(String value) {
      Objects.requireNonNull(value, "input");
      int colon = value.indexOf(':');
      if (colon > 0 && NAME.matcher(value.substring(0, colon)).matches()) {
        return from(value.substring(0, colon), value.substring(colon + 1));
      }
      inputs.add(Path.of(value));
      return this;
    }

    /** Adds local input files or directories. */
    public Builder inputs(Path... paths) {
      inputs.addAll(List.of(paths));
      return this;
    }

    /** Takes the outputs of {@code step} that {@code glob} matches, and waits for it. */
    public Builder from(String step, String glob) {
      from.add(new StepOutput(step, glob));
      return this;
    }

    /** Waits for these steps. */
    public Builder needs(String... steps) {
      needs.addAll(List.of(steps));
      return this;
    }

    /** Sets one label. */
    public Builder label(String key, String value) {
      labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Chooses the runtime by name. */
    public Builder runtime(String value) {
      runtime = value;
      return this;
    }

    /** Sets the timeout. */
    public Builder timeout(Duration value) {
      timeout = value;
      return this;
    }

    /** Sets CPU and memory limits and placement constraints. */
    public Builder resources(Resources value) {
      resources = value;
      return this;
    }

    /** Sets when failed attempts are retried. */
    public Builder retry(RetryPolicy value) {
      retry = value;
      return this;
    }

    /**
     * Runs the step once per local file matching {@code glob}; as a pipeline file writes it,
     * {@code step:glob} (a name as steps are named, a colon, a glob) runs it once per run of
     * that batch step instead ({@link #batchFrom}; write {@code ./a:b} for a local pattern
     * holding a colon).
     */
    public Builder batch(String glob) {
      int colon = glob == null ? -1 : glob.indexOf(':');
      if (colon > 0 && NAME.matcher(glob.substring(0, colon)).matches()) {
        return batchFrom(glob.substring(0, colon), glob.substring(colon + 1));
      }
      batch = glob;
      return this;
    }

    /**
     * Runs the step once per run of batch step {@code step} (N to N, as {@code rgrid run
     * --batch-from}): each run waits for its own parent run only and takes the one output of
     * it that {@code glob} matches, its path placed where {@code {}} stands in the arguments.
     */
    public Builder batchFrom(String step, String glob) {
      batchFrom = new StepOutput(step, glob);
      return this;
    }

    /** How many runs of a batch step may run at once. */
    public Builder parallel(int value) {
      parallel = value;
      return this;
    }

    /** The step; the pipeline checks it against the others when it is built. */
    public Step build() {
      return new Step(name, script, args, inputs, from, needs, runtime, timeout, resources, retry,
          labels, batch, parallel, batchFrom);
    }
  }
}
