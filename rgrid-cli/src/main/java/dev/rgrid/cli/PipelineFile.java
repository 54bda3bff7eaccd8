package dev.rgrid.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.pipeline.Pipeline;
import dev.rgrid.core.pipeline.Step;
import dev.rgrid.spi.store.Resources;
import dev.rgrid.spi.store.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a pipeline file: {@code [steps.NAME]} tables of TOML, with paths relative to the file's
 * directory. Every key and type is checked, so a typo is an error naming the step and the key
 * rather than a step that silently runs without it.
 */
final class PipelineFile {
  /** The largest pipeline file read: far more than {@value Pipeline#MAX_STEPS} steps need. */
  static final int MAX_BYTES = 1 << 20;
  private static final TomlMapper TOML = new TomlMapper();
  private static final Set<String> STEP_KEYS = Set.of("script", "args", "inputs", "needs",
      "batch", "parallel", "runtime", "limits", "retries", "labels");
  private static final Set<String> LIMIT_KEYS = Set.of("cpu", "memory", "timeout",
      "constraints");

  private final String shown;

  private PipelineFile(String shown) {
    this.shown = shown;
  }

  /**
   * The pipeline in {@code file}, checked as a whole.
   *
   * @param shown how the file is named in messages
   * @throws InvalidRunSpecException for anything wrong, naming the step and key (or the line of
   *     malformed TOML)
   */
  static Pipeline read(Path file, String shown) {
    PipelineFile reader = new PipelineFile(shown);
    JsonNode root = reader.parse(file);
    Pipeline.Builder builder = Pipeline.builder().baseDirectory(file.toAbsolutePath().getParent())
        .source(file.toAbsolutePath().normalize().toString());
    for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!key.equals("steps")) {
        throw reader.invalid("unknown key '" + key + "'", "a pipeline file holds only "
            + "[steps.NAME] tables");
      }
    }
    JsonNode steps = root.get("steps");
    if (steps == null || !steps.isObject() || steps.isEmpty()) {
      throw reader.invalid("no steps", "add a [steps.NAME] table with script = \"FILE\"");
    }
    if (steps.size() > Pipeline.MAX_STEPS) {
      throw reader.invalid("a pipeline has at most " + Pipeline.MAX_STEPS + " steps, this one has "
          + steps.size(), "split it into several pipelines, or use a batch step for many files");
    }
    for (Map.Entry<String, JsonNode> e : iterable(steps)) {
      builder.step(reader.step(e.getKey(), e.getValue()));
    }
    try {
      return builder.build();
    } catch (dev.rgrid.core.NoMatchException e) {
      throw e; // its own exit code; it names the pattern
    } catch (InvalidRunSpecException e) {
      throw new InvalidRunSpecException(shown + ": " + e.getMessage(), e.hint().orElse(null), e);
    }
  }

  private JsonNode parse(Path file) {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new InvalidRunSpecException("cannot read pipeline file " + shown + ": "
          + e.getMessage(), "check the path", e);
    }
    if (bytes.length > MAX_BYTES) {
      throw invalid("the file is larger than " + MAX_BYTES + " bytes",
          "split it into several pipelines, or use a batch step for many files");
    }
    try {
      return TOML.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      String message = e.getOriginalMessage().lines().findFirst().orElse("malformed");
      throw new InvalidRunSpecException(shown + (line > 0 ? ":" + line : "") + ": not valid TOML: "
          + message, "fix the file at that line", e);
    }
  }

  private Step step(String name, JsonNode table) {
    if (!table.isObject()) {
      throw invalid("steps." + name + " must be a table", "write [steps." + name + "]");
    }
    for (Iterator<String> keys = table.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!STEP_KEYS.contains(key)) {
        throw invalid("step " + name + ": unknown key '" + key + "'",
            "a step takes " + String.join(", ", new java.util.TreeSet<>(STEP_KEYS)));
      }
    }
    String script = text(name, table, "script");
    if (script == null) {
      throw invalid("step " + name + " has no script", "add script = \"FILE\" to [steps." + name
          + "]");
    }
    Step.Builder b = Step.builder(name, Path.of(script)).args(texts(name, table, "args"));
    texts(name, table, "inputs").forEach(b::input);
    b.needs(texts(name, table, "needs").toArray(String[]::new));
    b.batch(text(name, table, "batch")).runtime(text(name, table, "runtime"));
    JsonNode parallel = table.get("parallel");
    if (parallel != null) {
      b.parallel(integer(name, "parallel", parallel));
    }
    JsonNode retries = table.get("retries");
    if (retries != null) {
      int n = integer(name, "retries", retries);
      if (n < 0 || n > RetryPolicy.MAX_RETRIES) {
        throw invalid("step " + name + ": retries must be from 0 to " + RetryPolicy.MAX_RETRIES
            + ", was " + n, "retries counts retries of transient failures");
      }
      b.retry(RetryPolicy.defaults().withMaxRetries(n));
    }
    limits(name, table.get("limits"), b);
    JsonNode labels = table.get("labels");
    if (labels != null) {
      if (!labels.isObject()) {
        throw typed(name, "labels", "a table of strings, e.g. labels = { team = \"data\" }");
      }
      for (Map.Entry<String, JsonNode> label : iterable(labels)) {
        if (!label.getValue().isTextual()) {
          throw typed(name, "labels." + label.getKey(), "a string");
        }
        b.label(label.getKey(), label.getValue().asText());
      }
    }
    return b.build();
  }

  private void limits(String name, JsonNode limits, Step.Builder b) {
    if (limits == null) {
      return;
    }
    if (!limits.isObject()) {
      throw typed(name, "limits", "a table, e.g. limits = { cpu = 1, memory = \"512m\" }");
    }
    for (Iterator<String> keys = limits.fieldNames(); keys.hasNext(); ) {
      String key = keys.next();
      if (!LIMIT_KEYS.contains(key)) {
        throw invalid("step " + name + ": unknown limit '" + key + "'",
            "limits are cpu, memory, timeout and constraints");
      }
    }
    try {
      JsonNode cpu = limits.get("cpu");
      JsonNode memory = limits.get("memory");
      // Their form is checked when the step is submitted (SpecRules), as --constraint's is.
      List<String> constraints = texts(name, limits, "constraints",
          "limits.constraints");
      if (cpu != null || memory != null || !constraints.isEmpty()) {
        b.resources(new Resources(cpu == null ? 0 : Parsing.milliCpus(scalar(name, "cpu", cpu)),
            memory == null ? 0 : Parsing.size(scalar(name, "memory", memory)), constraints));
      }
      JsonNode timeout = limits.get("timeout");
      if (timeout != null) {
        b.timeout(Parsing.duration(scalar(name, "timeout", timeout)));
      }
    } catch (IllegalArgumentException e) {
      throw invalid("step " + name + ": " + e.getMessage(), "e.g. limits = { cpu = 0.5, "
          + "memory = \"512m\", timeout = \"10m\" }");
    }
  }

  private String scalar(String name, String key, JsonNode value) {
    if (!value.isTextual() && !value.isNumber()) {
      throw typed(name, "limits." + key, "a string or a number");
    }
    return value.asText();
  }

  private String text(String name, JsonNode table, String key) {
    JsonNode value = table.get(key);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw typed(name, key, "a string");
    }
    return value.asText();
  }

  private List<String> texts(String name, JsonNode table, String key) {
    return texts(name, table, key, key);
  }

  /** The strings of {@code table}'s {@code key}, named {@code shownKey} in an error. */
  private List<String> texts(String name, JsonNode table, String key, String shownKey) {
    JsonNode value = table.get(key);
    List<String> all = new ArrayList<>();
    if (value == null) {
      return all;
    }
    String what = "an array of strings, e.g. " + key + " = [\"a\", \"b\"]";
    if (!value.isArray()) {
      throw typed(name, shownKey, what);
    }
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        throw typed(name, shownKey, what);
      }
      all.add(item.asText());
    }
    return all;
  }

  private int integer(String name, String key, JsonNode value) {
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw typed(name, key, "a whole number");
    }
    return value.asInt();
  }

  private InvalidRunSpecException typed(String name, String key, String what) {
    return invalid("step " + name + ": " + key + " must be " + what, "fix [steps." + name + "]");
  }

  private InvalidRunSpecException invalid(String message, String hint) {
    return new InvalidRunSpecException(shown + ": " + message, hint);
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
    return node::fields;
  }
}
