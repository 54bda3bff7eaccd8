package dev.rgrid.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * JSON bodies for {@link FuzzRequests}: the documented fields of a request, each with a value of
 * the right type or a wrong one, sometimes given twice, sometimes unknown, with strings holding
 * control or bidi characters, huge numbers and deep nesting. Written by hand (not through a
 * mapper) so that it can say what no mapper writes: duplicate keys, raw control characters.
 */
final class FuzzJson {
  private static final Map<String, List<String>> FIELDS = Map.of(
      "/api/v1/executions", List.of("script", "args", "env", "inputs", "runtime",
          "timeoutSeconds", "labels", "milliCpus", "memoryBytes", "network", "requirements",
          "requirementsSource", "scriptFiles", "cache", "batchId"),
      "/api/v1/batches", List.of("scriptName", "runtime", "size", "parallel", "labels"),
      "/api/v1/limits", List.of("limitMicros", "thresholds"));

  private final Random random;
  private final String blob;

  FuzzJson(Random random, String blob) {
    this.random = random;
    this.blob = blob;
  }

  /** A body for the operation on {@code path} (an empty object for one that takes none). */
  String request(String path) {
    List<String> fields = FIELDS.getOrDefault(path, List.of());
    List<String> members = new ArrayList<>();
    if (path.equals("/api/v1/executions") && random.nextDouble() < 0.7) {
      members.add("\"script\": {\"path\": \"job.py\", \"sha256\": \"" + blob + "\"}");
    }
    int n = random.nextInt(4);
    for (int i = 0; i < n && !fields.isEmpty(); i++) {
      String field = fields.get(random.nextInt(fields.size()));
      members.add(string(field) + ": " + value(3));
      if (random.nextDouble() < 0.15) {
        members.add(string(field) + ": " + value(1)); // the same field again
      }
    }
    if (random.nextDouble() < 0.1) {
      members.add(string(weird()) + ": 1"); // unknown
    }
    return "{" + String.join(", ", members) + "}";
  }

  /** A JSON value of any type, nested at most {@code depth} more. */
  private String value(int depth) {
    int kind = random.nextInt(depth > 0 ? 12 : 9);
    return switch (kind) {
      case 0 -> "null";
      case 1 -> random.nextBoolean() ? "true" : "false";
      case 2 -> Long.toString(random.nextLong());
      case 3 -> pick("1.5", "-0", "1e400", "-1e-400", "9".repeat(400), "0.0", "-1");
      case 4 -> Integer.toString(random.nextInt(200) - 50);
      case 5, 6 -> string(weird());
      case 7 -> "\"" + blob + "\"";
      case 8 -> "[".repeat(1 + random.nextInt(3000)) + "]".repeat(random.nextInt(3)); // deep
      case 9 -> "[" + value(depth - 1) + ", " + value(depth - 1) + "]";
      case 10 -> "{\"path\": " + value(depth - 1) + ", \"sha256\": " + value(depth - 1) + "}";
      default -> "{" + string(weird()) + ": " + value(depth - 1) + "}";
    };
  }

  /** Text that strains a string: control and bidi characters, escapes, sizes. */
  private String weird() {
    return pick("job.py", "a b", "", "x".repeat(random.nextInt(5000)), "\u202ejob.py",
        "\u0000", "\\u0000", "line\nbreak", "tab\there", "\u00e9\u65e5", "\ud83d\ude00",
        "\\ud800", "rgrid.account", "../../etc/passwd", "/abs", "a=b", "%zz", "\u0007");
  }

  /**
   * {@code s} as a JSON string: quotes and backslashes not of an escape are escaped; control
   * characters are left raw (invalid JSON, on purpose), and {@code \\uXXXX} stays an escape.
   */
  private static String string(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') {
        b.append("\\\"");
      } else if (c == '\\' && !(i + 1 < s.length() && s.charAt(i + 1) == 'u')) {
        b.append("\\\\");
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private String pick(String... values) {
    return values[random.nextInt(values.length)];
  }
}
