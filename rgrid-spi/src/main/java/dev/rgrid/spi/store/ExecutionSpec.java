package dev.rgrid.spi.store;

import dev.rgrid.spi.blob.BlobKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run, as stored with the execution. Secret values are never part of it, only which
 * secret goes into which environment variable.
 *
 * @param scriptName the script's file name as the user gave it (no directory)
 * @param script the script's content
 * @param runtime the runtime name from the catalog (e.g. {@code python3.11})
 * @param args the script's arguments, input paths already rewritten to where the script sees them
 * @param env environment variables (non-secret)
 * @param inputs files staged into the working directory before the run
 * @param timeout how long the script may run before it is killed
 * @param labels {@code key=value} metadata for filtering
 * @param batchId the batch it belongs to, or {@code null}
 * @param resources CPU and memory limits
 * @param network whether the script may use the network (runtimes that isolate honour it)
 * @param requirements the normalised Python requirements to install (empty: none)
 * @param requirementsSource where they were found, for people ({@code PEP 723 block in x.py}),
 *     or {@code null}
 * @param scriptFiles files that travel with the script, beside it (local modules it imports),
 *     by path relative to the script's directory
 * @param cache whether a cached result may be reused (and this one's result kept for reuse)
 * @param retry when failed attempts are retried (default {@link RetryPolicy#defaults()})
 * @param secrets the named secrets the script gets, by environment variable: variable to secret
 *     name (empty: none); their values are resolved where it runs, just before it starts
 * @param parents the runs (executions or whole batches) it waits for, and which of their outputs
 *     it takes as inputs (empty: none); an execution with parents is created {@code WAITING}
 */
public record ExecutionSpec(
    String scriptName,
    BlobKey script,
    String runtime,
    List<String> args,
    Map<String, String> env,
    List<InputFile> inputs,
    Duration timeout,
    Map<String, String> labels,
    String batchId,
    Resources resources,
    boolean network,
    List<String> requirements,
    String requirementsSource,
    List<InputFile> scriptFiles,
    boolean cache,
    RetryPolicy retry,
    Map<String, String> secrets,
    List<ParentLink> parents) {

  /** A spec without requirements or accompanying files, cached. */
  public ExecutionSpec(String scriptName, BlobKey script, String runtime, List<String> args,
      Map<String, String> env, List<InputFile> inputs, Duration timeout,
      Map<String, String> labels, String batchId, Resources resources, boolean network) {
    this(scriptName, script, runtime, args, env, inputs, timeout, labels, batchId, resources,
        network, List.of(), null, List.of(), true, null, Map.of(), List.of());
  }

  /** A spec without parents. */
  public ExecutionSpec(String scriptName, BlobKey script, String runtime, List<String> args,
      Map<String, String> env, List<InputFile> inputs, Duration timeout,
      Map<String, String> labels, String batchId, Resources resources, boolean network,
      List<String> requirements, String requirementsSource, List<InputFile> scriptFiles,
      boolean cache, RetryPolicy retry, Map<String, String> secrets) {
    this(scriptName, script, runtime, args, env, inputs, timeout, labels, batchId, resources,
        network, requirements, requirementsSource, scriptFiles, cache, retry, secrets, List.of());
  }

  /** This spec with the secrets {@code refs} (environment variable to secret name). */
  public ExecutionSpec withSecrets(Map<String, String> refs) {
    return new ExecutionSpec(scriptName, script, runtime, args, env, inputs, timeout, labels,
        batchId, resources, network, requirements, requirementsSource, scriptFiles, cache, retry,
        refs, parents);
  }

  /** This spec with the parents {@code links}. */
  public ExecutionSpec withParents(List<ParentLink> links) {
    return new ExecutionSpec(scriptName, script, runtime, args, env, inputs, timeout, labels,
        batchId, resources, network, requirements, requirementsSource, scriptFiles, cache, retry,
        secrets, links);
  }

  /** This spec with {@code extra} files staged after its own inputs. */
  public ExecutionSpec withMoreInputs(List<InputFile> extra) {
    List<InputFile> all = new java.util.ArrayList<>(inputs);
    all.addAll(extra);
    return new ExecutionSpec(scriptName, script, runtime, args, env, all, timeout, labels,
        batchId, resources, network, requirements, requirementsSource, scriptFiles, cache, retry,
        secrets, parents);
  }

  /** The distinct executions it waits for, in the order first named (batches not included). */
  public List<dev.rgrid.spi.ExecutionId> parentIds() {
    return parents.stream().map(ParentLink::parent).filter(Objects::nonNull).distinct().toList();
  }

  /** The distinct batches it waits for, in the order first named. */
  public List<dev.rgrid.spi.BatchId> parentBatches() {
    return parents.stream().map(ParentLink::batch).filter(Objects::nonNull).distinct().toList();
  }

  /** Checks the values and makes the collections immutable. */
  public ExecutionSpec {
    Objects.requireNonNull(scriptName, "scriptName");
    Objects.requireNonNull(script, "script");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(timeout, "timeout");
    args = List.copyOf(args);
    env = Map.copyOf(env);
    inputs = List.copyOf(inputs);
    labels = Map.copyOf(labels);
    requirements = requirements == null ? List.of() : List.copyOf(requirements);
    scriptFiles = scriptFiles == null ? List.of() : List.copyOf(scriptFiles);
    retry = retry == null ? RetryPolicy.defaults() : retry;
    resources = resources == null ? Resources.DEFAULT : resources;
    secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
    parents = parents == null ? List.of() : List.copyOf(parents);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }
}
