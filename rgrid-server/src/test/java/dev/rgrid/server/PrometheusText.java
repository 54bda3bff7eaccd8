package dev.rgrid.server;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4), for tests: every line is
 * a {@code # HELP}, a {@code # TYPE} or a sample of a family whose type came before it; names,
 * label names, escapes and values must be valid, and no series may repeat. Any deviation throws
 * with the line number, so a scrape that Prometheus would refuse fails the test.
 */
final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");
  private static final Set<String> SUFFIXES = Set.of("_bucket", "_sum", "_count", "_total",
      "_created", "_max");

  /** One sample: its metric name and labels (sorted). */
  record Series(String name, Map<String, String> labels) {}

  private final Map<Series, Double> samples;
  private final Map<String, String> types;

  private PrometheusText(Map<Series, Double> samples, Map<String, String> types) {
    this.samples = samples;
    this.types = types;
  }

  /** Parses {@code text}, refusing anything Prometheus would. */
  static PrometheusText parse(String text) {
    Map<Series, Double> samples = new LinkedHashMap<>();
    Map<String, String> types = new HashMap<>();
    String[] lines = text.split("\n", -1);
    if (!text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition does not end with a line feed");
    }
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      int n = i + 1;
      if (line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ", -1);
        if (parts.length != 2 || !NAME.matcher(parts[0]).matches() || !TYPES.contains(parts[1])) {
          throw new IllegalArgumentException("line " + n + ": bad TYPE: " + line);
        }
        if (types.put(parts[0], parts[1]) != null) {
          throw new IllegalArgumentException("line " + n + ": second TYPE for " + parts[0]);
        }
      } else if (line.startsWith("# HELP ")) {
        String name = line.substring(7).split(" ", 2)[0];
        if (!NAME.matcher(name).matches()) {
          throw new IllegalArgumentException("line " + n + ": bad HELP: " + line);
        }
      } else if (line.startsWith("#")) {
        continue; // other comments are allowed
      } else if (line.isEmpty()) {
        throw new IllegalArgumentException("line " + n + ": empty line");
      } else {
        Series s = sample(line, n, types);
        String value = line.substring(line.lastIndexOf(' ') + 1);
        if (samples.put(s, number(value, n)) != null) {
          throw new IllegalArgumentException("line " + n + ": repeated series " + s);
        }
      }
    }
    return new PrometheusText(samples, types);
  }

  private static Series sample(String line, int n, Map<String, String> types) {
    Matcher m = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( -?\\d+)?$")
        .matcher(line);
    if (!m.matches()) {
      throw new IllegalArgumentException("line " + n + ": not a sample: " + line);
    }
    String name = m.group(1);
    if (family(name, types) == null) {
      throw new IllegalArgumentException("line " + n + ": sample of " + name + " before its TYPE");
    }
    Map<String, String> labels = new TreeMap<>();
    String body = m.group(3);
    int i = 0;
    while (body != null && i < body.length()) {
      int eq = body.indexOf("=\"", i);
      if (eq < 0) {
        throw new IllegalArgumentException("line " + n + ": bad labels: " + body);
      }
      String label = body.substring(i, eq);
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException("line " + n + ": bad label name " + label);
      }
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      for (; j < body.length() && body.charAt(j) != '"'; j++) {
        char c = body.charAt(j);
        if (c == '\\') {
          char e = j + 1 < body.length() ? body.charAt(++j) : ' ';
          switch (e) {
            case '\\' -> value.append('\\');
            case '"' -> value.append('"');
            case 'n' -> value.append('\n');
            default -> throw new IllegalArgumentException("line " + n + ": bad escape \\" + e);
          }
        } else {
          value.append(c);
        }
      }
      if (j >= body.length()) {
        throw new IllegalArgumentException("line " + n + ": unterminated label value");
      }
      if (labels.put(label, value.toString()) != null) {
        throw new IllegalArgumentException("line " + n + ": label " + label + " repeated");
      }
      i = j + 1;
      if (i < body.length()) {
        if (body.charAt(i) != ',') {
          throw new IllegalArgumentException("line " + n + ": expected ',' in " + body);
        }
        i++;
      }
    }
    return new Series(name, labels);
  }

  private static String family(String name, Map<String, String> types) {
    if (types.containsKey(name)) {
      return name;
    }
    for (String suffix : SUFFIXES) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        if (types.containsKey(base)) {
          return base;
        }
      }
    }
    return null;
  }

  private static double number(String value, int n) {
    switch (value) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(value);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("line " + n + ": bad value " + value, e);
        }
    }
  }

  /** Every metric name with at least one sample. */
  Set<String> names() {
    Set<String> names = new java.util.TreeSet<>();
    samples.keySet().forEach(s -> names.add(s.name()));
    return names;
  }

  /** The declared type of the family sample {@code name} belongs to, or null. */
  String type(String name) {
    String family = family(name, types);
    return family == null ? null : types.get(family);
  }

  /**
   * The sum of the samples named {@code name} whose labels include {@code labels} (key, value
   * pairs); 0 when none match.
   */
  double sum(String name, String... labels) {
    return samples.entrySet().stream().filter(e -> e.getKey().name().equals(name)
        && includes(e.getKey().labels(), labels)).mapToDouble(Map.Entry::getValue).sum();
  }

  /** How many series are named {@code name} and carry {@code labels}. */
  long count(String name, String... labels) {
    return samples.keySet().stream().filter(s -> s.name().equals(name)
        && includes(s.labels(), labels)).count();
  }

  private static boolean includes(Map<String, String> have, String... want) {
    for (int i = 0; i + 1 < want.length; i += 2) {
      if (!want[i + 1].equals(have.get(want[i]))) {
        return false;
      }
    }
    return true;
  }
}
