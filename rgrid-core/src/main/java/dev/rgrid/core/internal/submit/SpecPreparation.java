package dev.rgrid.core.internal.submit;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Limits;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.internal.blob.Blobs;
import dev.rgrid.core.internal.spec.SpecRules;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.ExecutionSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Turns a {@link RunSpec} (files on this machine) into an {@link ExecutionSpec} (content in a blob
 * store): the same whether the blob store is this process's or a server's reached over HTTP, so a
 * remote client prepares a run exactly as the engine does (through {@link
 * dev.rgrid.core.preparation.RunPreparation}).
 */
public final class SpecPreparation {
  private SpecPreparation() {}

  /**
   * Reads and checks {@code run}, stores its script, inputs and accompanying files in {@code
   * blobs}, detects its Python requirements, and tells the run's listener what it noticed;
   * checked by {@code rules}: what can be checked is checked before anything is read or stored,
   * the prepared spec again as a whole (its arguments as rewritten).
   *
   * @param batchId the batch it belongs to, or {@code null}
   * @throws InvalidRunSpecException when something in it is not acceptable (saying what)
   */
  public static ExecutionSpec spec(RunSpec run, String batchId, BlobStore blobs,
      RuntimeCatalog catalog, SpecRules rules) {
    rules.checkRun(run);
    Limits limits = rules.limits();
    byte[] script = readScript(run.script(), limits);
    String scriptName = InputResolver.safeSegment(run.script().getFileName().toString());
    SpecRules.checkScriptName(scriptName);
    RuntimeDefinition runtime = run.runtime() == null || run.runtime().isBlank()
        ? catalog.forScript(scriptName)
        : catalog.resolve(run.runtime());
    Duration timeout = run.timeout() == null ? limits.defaultTimeout() : run.timeout();
    InputResolver resolver = new InputResolver(blobs, limits.maxInputFiles(),
        run.baseDirectory());
    List<String> args = resolver.rewriteArgs(run.args());
    run.inputs().forEach(resolver::addExplicit);
    BlobInfo scriptBlob = Blobs.put(blobs, script);
    Dependencies.Found deps = Dependencies.detect(run, runtime, blobs);
    ExecutionSpec spec = new ExecutionSpec(scriptName, scriptBlob.key(),
        runtime.name(), args, run.env(), resolver.inputs(), timeout, run.labels(), batchId,
        run.resources(), run.network(), deps.requirements(), deps.source(), deps.scriptFiles(),
        // What a run reads from stdin is not known in advance, so its result cannot be keyed.
        run.cache() && run.stdin() == null, run.retry(), run.secrets(), run.parents());
    rules.checkSpec(spec);
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
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
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
}
