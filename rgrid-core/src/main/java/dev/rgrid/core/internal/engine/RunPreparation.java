package dev.rgrid.core.internal.engine;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Limits;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.ExecutionSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a {@link RunSpec} (files on this machine) into an {@link ExecutionSpec} (content in a blob
 * store): the same whether the blob store is this process's or a server's reached over HTTP, so a
 * remote client prepares a run exactly as the engine does.
 */
public final class RunPreparation {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
  private static final int MAX_LABEL_VALUE = 256;
  private static final String RESERVED_LABELS = "rgrid.";

  private RunPreparation() {}

  /**
   * Reads and checks {@code run}, stores its script, inputs and accompanying files in {@code
   * blobs}, detects its Python requirements, and tells the run's listener what it noticed.
   *
   * @param batchId the batch it belongs to, or {@code null}
   * @throws InvalidRunSpecException when something in it is not acceptable (saying what)
   */
  public static ExecutionSpec spec(RunSpec run, String batchId, BlobStore blobs,
      RuntimeCatalog catalog, Limits limits) {
    byte[] script = readScript(run.script(), limits);
    RuntimeDefinition runtime = run.runtime() == null || run.runtime().isBlank()
        ? catalog.forScript(run.script().getFileName().toString())
        : catalog.resolve(run.runtime());
    Duration timeout = run.timeout() == null ? limits.defaultTimeout() : run.timeout();
    if (timeout.compareTo(limits.maxTimeout()) > 0) {
      throw new InvalidRunSpecException("timeout " + timeout + " is longer than the maximum "
          + limits.maxTimeout(), "pass a shorter --timeout");
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
    InputResolver resolver = new InputResolver(blobs, limits.maxInputFiles(),
        run.baseDirectory());
    List<String> args = resolver.rewriteArgs(run.args());
    run.inputs().forEach(resolver::addExplicit);
    BlobInfo scriptBlob = Blobs.put(blobs, script);
    Dependencies.Found deps = Dependencies.detect(run, runtime, blobs);
    ExecutionSpec spec = new ExecutionSpec(
        InputResolver.safeSegment(run.script().getFileName().toString()), scriptBlob.key(),
        runtime.name(), args, run.env(), resolver.inputs(), timeout, run.labels(), batchId,
        run.resources(), run.network(), deps.requirements(), deps.source(), deps.scriptFiles(),
        // What a run reads from stdin is not known in advance, so its result cannot be keyed.
        run.cache() && run.stdin() == null, run.retry());
    deps.notes().forEach(n -> run.listener().onNotice(n));
    return spec;
  }

  private static byte[] readScript(Path script, Limits limits) {
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
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxScriptBytes() + 1));
    } catch (IOException e) {
      throw new InvalidRunSpecException("cannot read script " + script + ": " + e.getMessage(),
          "check that the file is readable");
    }
    if (bytes.length > limits.maxScriptBytes()) {
      throw new InvalidRunSpecException("script " + script + " is larger than "
          + limits.maxScriptBytes() + " bytes", "pass large data as an input file instead");
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

  static void checkEnv(Map<String, String> env) {
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

  static void checkResources(dev.rgrid.spi.store.Resources r) {
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

  static void checkLabels(Map<String, String> labels) {
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

  static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
