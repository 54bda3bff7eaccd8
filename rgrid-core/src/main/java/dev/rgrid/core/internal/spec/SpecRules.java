package dev.rgrid.core.internal.spec;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Limits;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.internal.deps.Requirement;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.Resources;
import dev.rgrid.spi.store.StoredSecret;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one check of what a run asks for, whichever way it comes: a {@link RunSpec} of the CLI or
 * the library (and every run of a batch, and a manual retry), or an {@link ExecutionSpec} a remote
 * client prepared and a server received. A run that passes can start as far as its own values go;
 * one that does not is refused before anything is stored or queued, with one line naming the
 * field, the limit and what to do ({@link InvalidRunSpecException}, a usage error / HTTP 400).
 *
 * <p>Rules: CPUs from 0.01 to {@link Limits#maxMilliCpus()} and, when this instance runs the work
 * itself, to what its runtime has; memory from 6 MiB to {@link Limits#maxMemoryBytes()}; timeout
 * positive and at most {@link Limits#maxTimeout()}; arguments and environment as {@link
 * CommandLine} says; script names, runtime names and labels as {@link Texts} says, bounded.
 */
public final class SpecRules {
  /** Longest script name (one path segment, as file systems allow). */
  public static final int MAX_SCRIPT_NAME = 255;
  /** Longest runtime name a run may give. */
  public static final int MAX_RUNTIME_NAME = 64;
  /** Longest label value. */
  public static final int MAX_LABEL_VALUE = 256;
  /** Labels RGrid sets itself; a user's run may not. */
  public static final String RESERVED_LABELS = "rgrid.";
  /**
   * The reserved labels a run submitted through the library may carry: those a pipeline puts on
   * its runs ({@link dev.rgrid.core.pipeline.Pipeline}), which submits them as any caller does,
   * the folder of a batch run fed by another batch's run ({@code rgrid.item}), and the mark of a
   * batch's template run fanned out once its parent ends ({@code rgrid.fan-out}, and its bound
   * {@code rgrid.fan-out.max-inputs}, which a template given by a caller may not carry: {@code
   * FedBatches} refuses them).
   * They name a grouping only, never an account or a permission, so a hand-written one is
   * harmless (a server refuses every {@code rgrid.} label a client sends in any case). Spelled
   * out rather than read from {@code Pipeline}, which would make this package depend on one
   * above it; the pipeline's tests fail if the two drift apart.
   */
  public static final java.util.Set<String> LIBRARY_LABELS = java.util.Set.of(
      "rgrid.pipeline", "rgrid.step", "rgrid.pipeline.file", "rgrid.item",
      "rgrid.fan-out", "rgrid.fan-out.max-inputs");

  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");

  private final Limits limits;
  private final ContainerRuntime runtime;
  private volatile long runtimeMilliCpus = -1;

  /**
   * The rules of {@code limits} alone: for a remote client, or a server that leaves its runs to
   * workers whose size it does not know.
   */
  public SpecRules(Limits limits) {
    this(limits, null);
  }

  /**
   * The rules of {@code limits}, and no more CPUs than {@code runtime} has (asked once, the first
   * time a run sets a CPU limit), for an instance that runs its work on it.
   */
  public SpecRules(Limits limits, ContainerRuntime runtime) {
    this.limits = limits;
    this.runtime = runtime;
  }

  /** The limits checked against. */
  public Limits limits() {
    return limits;
  }

  /**
   * Checks what can be checked of {@code run} before its files are read or uploaded.
   *
   * @throws InvalidRunSpecException saying what is not acceptable
   */
  public void checkRun(RunSpec run) {
    if (run.runtime() != null && !run.runtime().isBlank()) {
      checkRuntimeName(run.runtime());
    }
    if (run.timeout() != null) {
      checkTimeout(run.timeout());
    }
    CommandLine.check(run.args(), run.env());
    checkSecrets(run.secrets(), run.env());
    checkResources(run.resources());
    checkLabels(run.labels());
    for (String key : run.labels().keySet()) {
      if (key.startsWith(RESERVED_LABELS) && !LIBRARY_LABELS.contains(key)) {
        throw new InvalidRunSpecException("label " + Texts.printable(key) + " is reserved",
            "labels starting with " + RESERVED_LABELS + " are set by RGrid; pick another key");
      }
    }
  }

  /**
   * Checks every value of a prepared spec (its labels may hold RGrid's own, a server adds them).
   * That its blobs are stored is the submitter's to check.
   *
   * @throws InvalidRunSpecException saying what is not acceptable
   */
  public void checkSpec(ExecutionSpec spec) {
    checkScriptName(spec.scriptName());
    checkRuntimeName(spec.runtime());
    CommandLine.check(spec.args(), spec.env());
    checkSecrets(spec.secrets(), spec.env());
    checkTimeout(spec.timeout());
    checkResources(spec.resources());
    checkLabels(spec.labels());
    int files = spec.inputs().size() + spec.scriptFiles().size();
    if (files > limits.maxInputFiles()) {
      throw new InvalidRunSpecException(files + " input files are more than the maximum of "
          + limits.maxInputFiles(), "pack many small files into an archive");
    }
    for (String requirement : spec.requirements()) {
      try {
        Requirement.parse(requirement);
      } catch (RuntimeException e) {
        throw new InvalidRunSpecException(e.getMessage(), "name packages as in requirements.txt");
      }
    }
  }

  /**
   * Secret references ({@code refs}: environment variable to secret name): both well-formed names,
   * and no variable also given a plain value in {@code env}.
   */
  public static void checkSecrets(Map<String, String> refs, Map<String, String> env) {
    for (Map.Entry<String, String> ref : refs.entrySet()) {
      for (String name : List.of(ref.getValue(), ref.getKey())) {
        if (!StoredSecret.isName(name)) {
          throw new InvalidRunSpecException("not a secret or variable name: '"
              + Texts.printable(name.length() > 60 ? name.substring(0, 60) + "…" : name) + "'",
              "name secrets like environment variables: a letter or _, then up to 127 letters, "
              + "digits or _ (--secret NAME or --secret NAME=VARIABLE)");
        }
      }
      if (env.containsKey(ref.getKey())) {
        throw new InvalidRunSpecException("variable " + ref.getKey()
            + " is given both a value (-e) and a secret (--secret)", "keep one of them");
      }
    }
  }

  /** A script name is one file name: no directories, nothing that shows as something else. */
  public static void checkScriptName(String name) {
    String hint = "a script name is one file name of visible characters, without directories; "
        + "rename the script";
    Texts.checkName("script name", name, MAX_SCRIPT_NAME, hint);
    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.equals(".")
        || name.equals("..")) {
      throw new InvalidRunSpecException("invalid script name '" + Texts.printable(name) + "'",
          hint);
    }
  }

  /** A runtime name is short and plain (whether it is known is the catalog's to say). */
  public static void checkRuntimeName(String name) {
    Texts.checkName("runtime name", name, MAX_RUNTIME_NAME,
        "pick a runtime of `rgrid runtimes` (--runtime, \"runtime\")");
  }

  /** Label keys are short and ASCII; values at most 256 characters that show as they are. */
  public static void checkLabels(Map<String, String> labels) {
    labels.forEach((k, v) -> {
      if (!LABEL_KEY.matcher(k).matches()) {
        throw new InvalidRunSpecException("invalid label key '" + Texts.printable(k) + "'",
            "label keys are 1-63 letters, digits, '.', '_', '/' or '-'");
      }
      String hint = "label values are at most " + MAX_LABEL_VALUE + " characters, without "
          + "control or bidirectional characters";
      if (v.length() > MAX_LABEL_VALUE) {
        throw new InvalidRunSpecException("the value of label " + k + " is " + v.length()
            + " characters long, more than the maximum of " + MAX_LABEL_VALUE, hint);
      }
      Texts.checkShowable("the value of label " + k, v, hint);
    });
  }

  /** A timeout is positive and at most {@link Limits#maxTimeout()}. */
  public void checkTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidRunSpecException("timeout " + Sizes.duration(timeout)
          + " is not positive", "pass a timeout of at least 1s (--timeout, timeoutSeconds)");
    }
    if (timeout.compareTo(limits.maxTimeout()) > 0) {
      throw new InvalidRunSpecException("timeout " + Sizes.duration(timeout) + " is longer "
          + "than the maximum of " + Sizes.duration(limits.maxTimeout()), "pass a timeout of "
              + "at most " + Sizes.duration(limits.maxTimeout()) + " (--timeout, timeoutSeconds)");
    }
  }

  /**
   * CPUs from 0.01 to the ceiling (and the runtime's CPUs here, when known); memory from 6 MiB
   * to the ceiling. 0 means the runtime's default and is always accepted. Placement constraints
   * well-formed and few (see {@link Constraints}), and, when this instance runs the work itself,
   * none unless its runtime places runs.
   */
  public void checkResources(Resources r) {
    Constraints.check(r.constraints());
    if (!r.constraints().isEmpty() && runtime != null && !runtime.capabilities().places()) {
      throw new InvalidRunSpecException("placement constraints need a runtime that places runs "
          + "on a cluster's nodes; the " + runtime.name() + " runtime runs everything here",
          "drop --constraint, or run on --engine swarm");
    }
    long cpus = r.milliCpus();
    if (cpus != 0 && cpus < Limits.MIN_MILLI_CPUS) {
      throw new InvalidRunSpecException("CPU limit " + Sizes.cpus(cpus) + " is below the "
          + "minimum of 0.01", "ask for 0.01 CPUs or more (--cpus 0.01, milliCpus 10)");
    }
    if (cpus > limits.maxMilliCpus() || cpus != 0 && cpus > runtimeCpus()) {
      long here = runtimeCpus();
      boolean runtimeBound = here < limits.maxMilliCpus();
      long max = runtimeBound ? here : limits.maxMilliCpus();
      throw new InvalidRunSpecException("CPU limit " + Sizes.cpus(cpus) + " is more than "
          + (runtimeBound ? "the " + Sizes.cpus(max) + " CPUs the " + runtime.name()
              + " runtime has here" : "the maximum of " + Sizes.cpus(max) + " CPUs"),
          "ask for at most " + Sizes.cpus(max) + " CPUs (--cpus " + Sizes.cpus(max)
              + ", milliCpus " + max + ")");
    }
    long memory = r.memoryBytes();
    if (memory != 0 && memory < Limits.MIN_MEMORY_BYTES) {
      throw new InvalidRunSpecException("memory limit " + Sizes.bytes(memory) + " is below the "
          + "minimum of 6 MiB", "ask for 6 MiB or more (--memory 6m, memoryBytes 6291456)");
    }
    if (memory > limits.maxMemoryBytes()) {
      throw new InvalidRunSpecException("memory limit " + Sizes.bytes(memory) + " is more than "
          + "the maximum of " + Sizes.bytes(limits.maxMemoryBytes()), "ask for at most "
              + Sizes.bytes(limits.maxMemoryBytes()) + " (--memory, memoryBytes "
              + limits.maxMemoryBytes() + ")");
    }
  }

  /** The CPUs (in thousandths) of the runtime runs go to here, {@code Long.MAX_VALUE} if unknown. */
  private long runtimeCpus() {
    if (runtime == null) {
      return Long.MAX_VALUE;
    }
    long known = runtimeMilliCpus;
    if (known < 0) {
      int n = runtime.cpus();
      known = n > 0 ? n * 1000L : Long.MAX_VALUE;
      runtimeMilliCpus = known;
    }
    return known;
  }
}
