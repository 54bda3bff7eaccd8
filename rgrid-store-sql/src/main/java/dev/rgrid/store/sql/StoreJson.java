package dev.rgrid.store.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.StatusTransition;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON form of the structured parts of a record, the same in every SQL store so a row reads
 * the same on either. Instants and durations are written as ISO-8601 text (not numbers), which
 * Jackson reads back exactly, to the nanosecond. Decoders throw {@link JsonProcessingException}
 * for text that is not what they read, so a store can name the damaged row.
 */
public final class StoreJson {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .build();
  private static final TypeReference<List<StatusTransition>> TRANSITIONS = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
  /** The spec property that defaults to true; see {@link #decodeSpec}. */
  private static final String CACHE = "cache";
  /** Recently decoded specs by their exact JSON text; see {@link #decodeSpec}. */
  private static final ConcurrentHashMap<String, ExecutionSpec> SPECS = new ConcurrentHashMap<>();
  private static final int SPEC_CACHE = 4096;

  private StoreJson() {}

  /** The JSON text of {@code spec}. */
  public static String encodeSpec(ExecutionSpec spec) {
    return write(spec);
  }

  /**
   * The spec in {@code json}, including one written by an older RGrid. Such a spec may have no
   * {@code requirements}, {@code requirementsSource} or {@code scriptFiles}, which decode as
   * empty or null as they should, and no {@code cache}, which Jackson would decode as {@code
   * false} for the primitive: that would silently switch the result cache off for every old
   * execution, so a missing flag is filled in as the default, {@code true}, before binding.
   */
  public static ExecutionSpec decodeSpec(String json) throws JsonProcessingException {
    // A worker reads the same record, spec unchanged, at its start and at its end (and a
    // follower many times): decoding it dominated the worker's CPU. Specs are immutable values.
    ExecutionSpec known = SPECS.get(json);
    if (known != null) {
      return known;
    }
    ExecutionSpec spec = decodeSpecText(json);
    if (SPECS.size() >= SPEC_CACHE) {
      SPECS.clear(); // crude but bounded: a burst of new specs refills it at once
    }
    SPECS.put(json, spec);
    return spec;
  }

  /**
   * The blob keys a stored spec uses (script, inputs, accompanying files), read from its JSON
   * without binding the whole spec or touching the cache of decoded specs, which garbage
   * collection reading every execution would only flush.
   */
  public static List<String> specBlobs(String json) throws JsonProcessingException {
    JsonNode spec = MAPPER.readTree(json);
    List<String> keys = new java.util.ArrayList<>();
    addBlob(keys, spec.get("script"));
    for (String list : List.of("inputs", "scriptFiles")) {
      JsonNode files = spec.get(list);
      if (files != null) {
        files.forEach(f -> addBlob(keys, f.get("blob")));
      }
    }
    return keys;
  }

  private static void addBlob(List<String> keys, JsonNode key) {
    if (key == null || key.isNull()) {
      return;
    }
    keys.add(key.isTextual() ? key.asText() : key.path("sha256").asText());
  }

  private static ExecutionSpec decodeSpecText(String json) throws JsonProcessingException {
    JsonNode tree = MAPPER.readTree(json);
    if (!(tree instanceof ObjectNode spec)) {
      // Not a spec at all (damaged row): let Jackson fail with its usual, precise message.
      return MAPPER.readValue(json, ExecutionSpec.class);
    }
    if (!spec.hasNonNull(CACHE)) {
      spec.put(CACHE, true);
    }
    return MAPPER.treeToValue(spec, ExecutionSpec.class);
  }

  /** The JSON text of a record's status transitions. */
  public static String encodeTransitions(List<StatusTransition> transitions) {
    return write(transitions);
  }

  /** The status transitions in {@code json}. */
  public static List<StatusTransition> decodeTransitions(String json)
      throws JsonProcessingException {
    return MAPPER.readValue(json, TRANSITIONS);
  }

  /** The JSON text of {@code failure}, or {@code null} for none. */
  public static String encodeFailure(FailureReason failure) {
    return failure == null ? null : write(failure);
  }

  /** The failure in {@code json}, or {@code null} for SQL NULL. */
  public static FailureReason decodeFailure(String json) throws JsonProcessingException {
    return json == null ? null : MAPPER.readValue(json, FailureReason.class);
  }

  /** Labels as a JSON object (PostgreSQL also filters on it with {@code @>}). */
  public static String encodeLabels(Map<String, String> labels) {
    return write(labels);
  }

  /** The labels in {@code json}. */
  public static Map<String, String> decodeLabels(String json) throws JsonProcessingException {
    return MAPPER.readValue(json, LABELS);
  }

  private static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // Our own records always serialize; failing here is a defect, not a user or disk problem.
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName()
          + " as JSON: " + e.getOriginalMessage(), e);
    }
  }
}
