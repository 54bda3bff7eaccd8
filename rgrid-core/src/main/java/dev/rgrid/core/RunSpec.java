package dev.rgrid.core;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ParentLink;
import dev.rgrid.spi.store.Resources;
import dev.rgrid.spi.store.RetryPolicy;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run: a script, its arguments and everything around it. Build one with {@link
 * #builder(Path)}; only the script is required.
 *
 * <p>Arguments that name an existing file or directory (relative to {@link #baseDirectory()}) are
 * uploaded as inputs and rewritten to the path the script sees ({@code /work/<name>}); arguments
 * starting with {@code -} are never taken for files.
 *
 * @param script the script file on this machine
 * @param args the script's arguments, as the user typed them
 * @param inputs more files or directories to place in the working directory
 * @param env environment variables for the script
 * @param runtime the runtime name, or {@code null} to choose from the script's suffix
 * @param timeout how long the script may run, or {@code null} for RGrid's default
 * @param labels {@code key=value} metadata for filtering
 * @param resources CPU and memory limits (runtimes that isolate honour them), and placement
 *     constraints (runtimes that place runs on a cluster honour them; others refuse the run)
 * @param network whether the script may use the network (runtimes that isolate honour it)
 * @param stdin bytes for the script's standard input, or {@code null} for none
 * @param listener hears statuses, output and log lines wherever it runs (see {@link RGrid#run})
 * @param baseDirectory where relative argument and input paths are resolved
 * @param requirementsFile a {@code requirements.txt}-style file naming the Python packages to
 *     install, or {@code null} to detect them (PEP 723 block, {@code requirements.txt} beside the
 *     script, imports)
 * @param detectDependencies whether Python dependencies and the local modules the script imports
 *     are detected when no file is given
 * @param cache whether an earlier identical successful run may be reused (and this one kept for
 *     reuse); runs fed {@code stdin} are never cached, since their input is not known in advance
 * @param retry when failed attempts are retried on their own ({@code null}: {@link
 *     RetryPolicy#defaults()}, two retries of transient failures)
 * @param secrets the named secrets the script gets, by environment variable
 * @param parents the runs it waits for and the outputs of theirs it takes as inputs (see {@link
 *     Builder#after} and {@link Builder#from}); empty: it runs at once
 */
public record RunSpec(
    Path script,
    List<String> args,
    List<Path> inputs,
    Map<String, String> env,
    String runtime,
    Duration timeout,
    Map<String, String> labels,
    Resources resources,
    boolean network,
    InputStream stdin,
    ExecutionListener listener,
    Path baseDirectory,
    Path requirementsFile,
    boolean detectDependencies,
    boolean cache,
    RetryPolicy retry,
    Map<String, String> secrets,
    List<ParentLink> parents) {

  /** Checks the values and copies the collections. */
  public RunSpec {
    Objects.requireNonNull(script, "script");
    args = List.copyOf(args);
    inputs = List.copyOf(inputs);
    env = Map.copyOf(env);
    labels = Map.copyOf(labels);
    secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
    parents = parents == null ? List.of() : List.copyOf(parents);
    resources = resources == null ? Resources.DEFAULT : resources;
    listener = listener == null ? ExecutionListener.NONE : listener;
    retry = retry == null ? RetryPolicy.defaults() : retry;
    baseDirectory = baseDirectory == null ? Path.of("").toAbsolutePath() : baseDirectory;
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }

  /** A builder for running {@code script}. */
  public static Builder builder(Path script) {
    return new Builder(script);
  }

  /** Builds a {@link RunSpec}; setters are named after the components. */
  public static final class Builder {
    private final Path script;
    private final List<String> args = new ArrayList<>();
    private final List<Path> inputs = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> secrets = new LinkedHashMap<>();
    private String runtime;
    private Duration timeout;
    private Resources resources;
    private boolean network;
    private InputStream stdin;
    private ExecutionListener listener;
    private Path baseDirectory;
    private Path requirementsFile;
    private boolean detectDependencies = true;
    private boolean cache = true;
    private RetryPolicy retry;
    private final List<ParentLink> parents = new ArrayList<>();

    private Builder(Path script) {
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

    /** Adds input files or directories. */
    public Builder inputs(Path... paths) {
      inputs.addAll(List.of(paths));
      return this;
    }

    /** Sets one environment variable. */
    public Builder env(String name, String value) {
      env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Gives the script the secret {@code name} in the environment variable of the same name
     * (like {@code rgrid run --secret NAME}). Use {@link #env} for values that are not secret.
     */
    public Builder secret(String name) {
      return secret(name, name);
    }

    /**
     * Gives the script the secret {@code name} in the environment variable {@code variable}
     * (like {@code rgrid run --secret NAME=VARIABLE}). A later call for the same variable wins.
     */
    public Builder secret(String name, String variable) {
      secrets.put(Objects.requireNonNull(variable, "variable"),
          Objects.requireNonNull(name, "name"));
      return this;
    }

    /** Sets one label. */
    public Builder label(String key, String value) {
      labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Chooses the runtime by name ({@code python3.12}, {@code bash}, …). */
    public Builder runtime(String value) {
      runtime = value;
      return this;
    }

    /** Sets the timeout. */
    public Builder timeout(Duration value) {
      timeout = value;
      return this;
    }

    /** Sets CPU and memory limits. */
    public Builder resources(Resources value) {
      resources = value;
      return this;
    }

    /** Lets the script use the network. */
    public Builder network(boolean value) {
      network = value;
      return this;
    }

    /** Feeds these bytes to the script's standard input. */
    public Builder stdin(InputStream value) {
      stdin = value;
      return this;
    }

    /** Sets the listener. */
    public Builder listener(ExecutionListener value) {
      listener = value;
      return this;
    }

    /** Sets where relative paths are resolved (default: the current directory). */
    public Builder baseDirectory(Path value) {
      baseDirectory = value;
      return this;
    }

    /** Installs the Python packages named in {@code file} (like {@code --requirements}). */
    public Builder requirementsFile(Path file) {
      requirementsFile = file;
      return this;
    }

    /**
     * Whether to detect, when no requirements file is given, the Python dependencies and the
     * local modules the script imports (default on); off, only the script and its inputs travel.
     */
    public Builder detectDependencies(boolean value) {
      detectDependencies = value;
      return this;
    }

    /** Whether a cached result may be reused (default on; {@code --no-cache} turns it off). */
    public Builder cache(boolean value) {
      cache = value;
      return this;
    }

    /** Sets when failed attempts are retried (e.g. {@code RetryPolicy.defaults().withMaxRetries(5)}). */
    public Builder retry(RetryPolicy value) {
      retry = value;
      return this;
    }

    /**
     * Waits for {@code ids} to succeed before running (like {@code rgrid run --after ID}): the run
     * is {@code WAITING} until then, and ends {@code SKIPPED} without running when one of them
     * fails, times out, is cancelled or is skipped itself.
     */
    public Builder after(ExecutionId... ids) {
      for (ExecutionId id : ids) {
        parents.add(ParentLink.after(Objects.requireNonNull(id, "id")));
      }
      return this;
    }

    /**
     * Takes the output files of {@code parent} that {@code glob} matches as inputs, each under
     * its own path in the working directory (like {@code rgrid run --from ID:PATH}), and waits
     * for it as {@link #after} does. The run fails when the parent produced no such file.
     */
    public Builder from(ExecutionId parent, String glob) {
      parents.add(new ParentLink(Objects.requireNonNull(parent, "parent"),
          Objects.requireNonNull(glob, "glob")));
      return this;
    }

    /**
     * Waits for every run of each batch in {@code ids} to succeed before running (like {@code
     * rgrid run --after BATCH_ID}): each input's latest run, as the batch's progress counts it.
     * The run ends {@code SKIPPED} without running as soon as one of them fails, times out or is
     * cancelled. The batch must be fully submitted.
     */
    public Builder after(BatchId... ids) {
      for (BatchId id : ids) {
        parents.add(ParentLink.after(Objects.requireNonNull(id, "id")));
      }
      return this;
    }

    /**
     * Takes the output files of every run of {@code batch} that {@code glob} matches as inputs
     * (fan-in, like {@code rgrid run --from BATCH_ID:GLOB}), each under a folder per input named
     * as {@code rgrid download BATCH_ID} names it ({@code <input folder>/<output path>}), so that
     * two runs' files of the same name never collide; waits for the batch as {@link
     * #after(BatchId...)} does. The run fails when no run of the batch produced such a file.
     */
    public Builder from(BatchId batch, String glob) {
      parents.add(new ParentLink(Objects.requireNonNull(batch, "batch"),
          Objects.requireNonNull(glob, "glob")));
      return this;
    }

    /** The spec. */
    public RunSpec build() {
      return new RunSpec(script, args, inputs, env, runtime, timeout, labels, resources, network,
          stdin, listener, baseDirectory, requirementsFile, detectDependencies, cache, retry,
          secrets, parents);
    }
  }
}
