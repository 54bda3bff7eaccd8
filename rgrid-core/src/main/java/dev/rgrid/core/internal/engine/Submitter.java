package dev.rgrid.core.internal.engine;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Turns a {@link RunSpec} into a stored, queued execution. */
final class Submitter {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Submitter.class);
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
  private static final int MAX_LABEL_VALUE = 256;
  private static final String RESERVED_LABELS = "rgrid.";

  private final EngineContext ctx;
  private final SecureRandom random = new SecureRandom();
  private final ResultCache cache;

  Submitter(EngineContext ctx, ResultCache cache) {
    this.ctx = ctx;
    this.cache = cache;
  }

  /** Validates and stores the script and inputs; returns the record to create, not yet stored. */
  ExecutionRecord prepare(RunSpec run) {
    return prepare(run, null);
  }

  /** As {@link #prepare(RunSpec)}, for an execution of batch {@code batchId} (or none). */
  ExecutionRecord prepare(RunSpec run, String batchId) {
    long t0 = System.nanoTime();
    byte[] script = readScript(run.script());
    RuntimeDefinition runtime = run.runtime() == null || run.runtime().isBlank()
        ? ctx.catalog().forScript(run.script().getFileName().toString())
        : ctx.catalog().resolve(run.runtime());
    Duration timeout = run.timeout() == null ? ctx.limits().defaultTimeout() : run.timeout();
    if (timeout.compareTo(ctx.limits().maxTimeout()) > 0) {
      throw new InvalidRunSpecException("timeout " + timeout + " is longer than the maximum "
          + ctx.limits().maxTimeout(), "pass a shorter --timeout");
    }
    checkEnv(run.env());
    checkResources(run.resources());
    checkLabels(run.labels());
    for (String key : run.labels().keySet()) {
      if (key.startsWith(RESERVED_LABELS)) {
        throw new InvalidRunSpecException("label " + printable(key) + " is reserved",
            "labels starting with " + RESERVED_LABELS + " are set by RGrid; pick another key");
      }
    }

    InputResolver resolver = new InputResolver(ctx.blobs(), ctx.limits().maxInputFiles(),
        run.baseDirectory());
    List<String> args = resolver.rewriteArgs(run.args());
    run.inputs().forEach(resolver::addExplicit);
    BlobInfo scriptBlob = Blobs.put(ctx.blobs(), script);
    long stored = System.nanoTime();
    Dependencies.Found deps = Dependencies.detect(run, runtime, ctx.blobs());
    long detected = System.nanoTime();

    Instant now = ctx.clock().instant();
    ExecutionSpec spec = new ExecutionSpec(
        InputResolver.safeSegment(run.script().getFileName().toString()), scriptBlob.key(),
        runtime.name(), args, run.env(), resolver.inputs(), timeout, run.labels(), batchId,
        run.resources(), run.network(), deps.requirements(), deps.source(), deps.scriptFiles(),
        // What a run reads from stdin is not known in advance, so its result cannot be keyed.
        run.cache() && run.stdin() == null, run.retry());
    ExecutionRecord record = ExecutionRecord.queued(ExecutionId.generate(now, random), spec, now);
    deps.notes().forEach(n -> run.listener().onNotice(n));
    ExecutionRecord keyed = spec.cache() ? record.toBuilder().cacheKey(cache.key(record)).build()
        : record;
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} submit timings: script and inputs {} µs, dependencies {} µs, key {} µs",
          record.id(), (stored - t0) / 1000, (detected - stored) / 1000,
          (System.nanoTime() - detected) / 1000);
    }
    return keyed;
  }

  /**
   * Checks a spec prepared elsewhere (a remote client's, received by a server) as {@link
   * #prepare(RunSpec, String)} checks a run, and that every blob it names is stored; returns the
   * record to create, not yet stored.
   */
  ExecutionRecord prepare(ExecutionSpec spec) {
    RuntimeDefinition runtime = ctx.catalog().resolve(spec.runtime());
    if (spec.timeout().compareTo(ctx.limits().maxTimeout()) > 0) {
      throw new InvalidRunSpecException("timeout " + spec.timeout() + " is longer than the "
          + "maximum " + ctx.limits().maxTimeout(), "pass a shorter timeout");
    }
    if (spec.batchId() != null) {
      throw new InvalidRunSpecException("a submitted spec cannot name a batch",
          "submit the batch as a batch");
    }
    if (spec.scriptName().indexOf('/') >= 0
        || !InputResolver.safeSegment(spec.scriptName()).equals(spec.scriptName())) {
      throw new InvalidRunSpecException("invalid script name '" + printable(spec.scriptName())
          + "'", "a script name is one file name, without directories");
    }
    checkEnv(spec.env());
    checkResources(spec.resources());
    checkLabels(spec.labels());
    int files = spec.inputs().size() + spec.scriptFiles().size();
    if (files > ctx.limits().maxInputFiles()) {
      throw new InvalidRunSpecException(files + " input files are more than the maximum of "
          + ctx.limits().maxInputFiles(), "pack many small files into an archive");
    }
    for (String requirement : spec.requirements()) {
      try {
        dev.rgrid.core.internal.deps.Requirement.parse(requirement);
      } catch (RuntimeException e) {
        throw new InvalidRunSpecException(e.getMessage(), "name packages as in requirements.txt");
      }
    }
    long scriptSize = ctx.blobs().size(spec.script()).orElseThrow(() -> missing(spec.script()));
    if (scriptSize > ctx.limits().maxScriptBytes()) {
      throw new InvalidRunSpecException("the script is larger than "
          + ctx.limits().maxScriptBytes() + " bytes", "pass large data as an input file instead");
    }
    for (dev.rgrid.spi.store.InputFile f : spec.inputs()) {
      if (!ctx.blobs().exists(f.blob())) {
        throw missing(f.blob());
      }
    }
    for (dev.rgrid.spi.store.InputFile f : spec.scriptFiles()) {
      if (!ctx.blobs().exists(f.blob())) {
        throw missing(f.blob());
      }
    }
    ExecutionSpec checked = runtime.name().equals(spec.runtime()) ? spec
        : new ExecutionSpec(spec.scriptName(), spec.script(), runtime.name(), spec.args(),
            spec.env(), spec.inputs(), spec.timeout(), spec.labels(), null, spec.resources(),
            spec.network(), spec.requirements(), spec.requirementsSource(), spec.scriptFiles(),
            spec.cache(), spec.retry());
    Instant now = ctx.clock().instant();
    ExecutionRecord record = ExecutionRecord.queued(ExecutionId.generate(now, random), checked,
        now);
    return checked.cache() ? record.toBuilder().cacheKey(cache.key(record)).build() : record;
  }

  private static InvalidRunSpecException missing(dev.rgrid.spi.blob.BlobKey key) {
    return new InvalidRunSpecException("no blob " + key + " is stored",
        "upload the content before submitting what uses it");
  }

  /**
   * Records the execution and queues it.
   *
   * @param affinity the worker that must run it while alive, or {@code null} for any
   */
  void enqueue(ExecutionRecord record, WorkerId affinity, int groupLimit) {
    ctx.store().create(record);
    queue(record, affinity, groupLimit);
  }

  /**
   * Queues an execution already stored; one of a batch carries the batch's limit on how many of
   * its executions run at once ({@code groupLimit}, 0 for none).
   */
  void queue(ExecutionRecord record, WorkerId affinity, int groupLimit) {
    Instant now = ctx.clock().instant();
    String group = record.spec().batchId();
    ctx.queue().enqueue(new QueueEntry(record.id(), affinity, now, record.attempt(), group,
        group == null ? 0 : groupLimit), now, ctx.lease());
  }


  private byte[] readScript(Path script) {
    if (!Files.exists(script)) {
      throw new InvalidRunSpecException("script " + script + " does not exist",
          "check the path; RGrid's own options go before the script, its arguments after it");
    }
    if (Files.isDirectory(script)) {
      throw new InvalidRunSpecException("script " + script + " is a directory, not a file",
          "name the script file inside it, e.g. " + script.resolve("main.py"));
    }
    if (!Files.isRegularFile(script)) {
      throw new InvalidRunSpecException("script " + script + " is not a regular file",
          "pass a script file");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(script)) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, ctx.limits().maxScriptBytes() + 1));
    } catch (IOException e) {
      throw new InvalidRunSpecException("cannot read script " + script + ": " + e.getMessage(),
          "check that the file is readable");
    }
    if (bytes.length > ctx.limits().maxScriptBytes()) {
      throw new InvalidRunSpecException("script " + script + " is larger than "
          + ctx.limits().maxScriptBytes() + " bytes", "pass large data as an input file instead");
    }
    if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      throw new InvalidRunSpecException("script " + script + " is empty",
          "write some code in it first");
    }
    for (byte b : bytes) {
      if (b == 0) {
        throw new InvalidRunSpecException("script " + script
            + " is not a text script (it contains NUL bytes)",
            "pass the source file of the script, not a compiled or binary file");
      }
    }
    return bytes;
  }

  private static void checkEnv(Map<String, String> env) {
    env.forEach((k, v) -> {
      if (!ENV_NAME.matcher(k).matches()) {
        throw new InvalidRunSpecException("invalid environment variable name '" + printable(k)
            + "'", "names are letters, digits and _, not starting with a digit");
      }
      if (v.indexOf('\0') >= 0) {
        throw new InvalidRunSpecException("environment variable " + k
            + " contains a NUL character", "remove the NUL byte from its value");
      }
    });
  }

  private static void checkResources(dev.rgrid.spi.store.Resources r) {
    // Below these, engines refuse to create the container; say so now, as a usage error.
    if (r.memoryBytes() != 0 && r.memoryBytes() < (6L << 20)) {
      throw new InvalidRunSpecException("memory limit " + r.memoryBytes()
          + " bytes is below the minimum of 6 MiB", "pass --memory 6m or more");
    }
    if (r.milliCpus() != 0 && r.milliCpus() < 10) {
      throw new InvalidRunSpecException("CPU limit " + r.milliCpus() / 1000.0
          + " is below the minimum of 0.01", "pass --cpus 0.01 or more");
    }
  }

  private static void checkLabels(Map<String, String> labels) {
    labels.forEach((k, v) -> {
      if (!LABEL_KEY.matcher(k).matches()) {
        throw new InvalidRunSpecException("invalid label key '" + printable(k) + "'",
            "label keys are 1-63 letters, digits, '.', '_', '/' or '-'");
      }
      if (v.length() > MAX_LABEL_VALUE || v.chars().anyMatch(Character::isISOControl)) {
        throw new InvalidRunSpecException("invalid value for label " + k,
            "label values are at most " + MAX_LABEL_VALUE + " characters, no control characters");
      }
    });
  }

  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
