package dev.rgrid.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced code blocks of a Markdown file with their {@code doctest} annotations, for the tests
 * that keep the documentation true ({@link DocsEndToEndTest}, {@link DocsJavaExamplesTest}).
 *
 * <p>An annotation is an HTML comment on the last non-blank line(s) before a block's opening
 * fence; it does not show in rendered Markdown:
 *
 * <pre>
 * &lt;!-- doctest: exit=0 expect="SUCCEEDED" expect="1 output file" --&gt;
 * &lt;!-- doctest: skip runs the whole test suite --&gt;
 * &lt;!-- doctest: expect="3 succeeded"
 * mkdir -p data &amp;&amp; cp samples/hello/data.csv data/a.csv
 * --&gt;
 * </pre>
 *
 * <p>The first line holds the directive: {@code skip REASON}, or {@code key=value} attributes and
 * flags ({@code value} in double quotes when it holds spaces; a key may repeat). Further lines up
 * to {@code -->} are a prelude, run before the block (files it needs, shown to maintainers only).
 * What the attributes mean is up to each test.
 */
final class DocBlocks {
  private static final Pattern FENCE = Pattern.compile("^(\\s*)```\\s*([A-Za-z0-9_+-]*)\\s*$");
  private static final Pattern START = Pattern.compile("<!--\\s*doctest:(.*)$");
  private static final Pattern ATTRIBUTE =
      Pattern.compile("([A-Za-z][A-Za-z0-9-]*)(?:=(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S+)))?");

  private DocBlocks() {}

  /**
   * One fenced block.
   *
   * @param file the Markdown file, relative to the repository root
   * @param line the 1-based line of its opening fence
   * @param language the info string after the fence ({@code sh}, {@code java}; empty if none)
   * @param annotation its annotation, or {@code null} when there is none
   * @param text its content, the fence's indentation removed
   */
  record Block(String file, int line, String language, Annotation annotation, String text) {
    /** Where it is, as {@code docs/user-guide.md:42}, for failure messages. */
    String where() {
      return file + ":" + line;
    }
  }

  /**
   * A {@code doctest} annotation.
   *
   * @param skipReason why the block is not run, or {@code null} when it is
   * @param attributes the {@code key=value} pairs (flags have an empty value), in order
   * @param prelude the lines after the directive line, possibly empty
   */
  record Annotation(String skipReason, List<String[]> attributes, String prelude) {
    /** The value of the first attribute named {@code key}. */
    Optional<String> get(String key) {
      return attributes.stream().filter(a -> a[0].equals(key)).map(a -> a[1]).findFirst();
    }

    /** Every value of the attributes named {@code key}. */
    List<String> all(String key) {
      return attributes.stream().filter(a -> a[0].equals(key)).map(a -> a[1]).toList();
    }

    boolean has(String flag) {
      return get(flag).isPresent();
    }

    /** The attribute names not in {@code known}: a typo must fail, not be ignored. */
    List<String> unknown(Set<String> known) {
      return attributes.stream().map(a -> a[0]).filter(k -> !known.contains(k)).toList();
    }
  }

  /** Every fenced block of {@code file} (relative to {@code root}). */
  static List<Block> read(Path root, String file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(root.resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches()) {
        continue;
      }
      String indent = open.group(1);
      int end = i + 1;
      while (end < lines.size() && !lines.get(end).strip().equals("```")) {
        end++;
      }
      if (end == lines.size()) {
        throw new AssertionError(file + ":" + (i + 1) + ": code block is never closed");
      }
      StringBuilder text = new StringBuilder();
      for (String l : lines.subList(i + 1, end)) {
        text.append(l.startsWith(indent) ? l.substring(indent.length()) : l.strip()).append('\n');
      }
      blocks.add(new Block(file, i + 1, open.group(2), annotationBefore(lines, i, file),
          text.toString()));
      i = end;
    }
    return blocks;
  }

  private static Annotation annotationBefore(List<String> lines, int fence, String file) {
    int last = fence - 1;
    while (last >= 0 && lines.get(last).isBlank()) {
      last--;
    }
    if (last < 0 || !lines.get(last).strip().endsWith("-->")) {
      return null;
    }
    int first = last;
    while (first >= 0 && !lines.get(first).contains("<!--")) {
      first--;
    }
    Matcher start = first < 0 ? null : START.matcher(lines.get(first).strip());
    if (start == null || !start.find()) {
      return null;
    }
    String directive = start.group(1);
    StringBuilder prelude = new StringBuilder();
    if (first == last) {
      directive = directive.substring(0, directive.lastIndexOf("-->"));
    } else {
      for (String l : lines.subList(first + 1, last)) {
        prelude.append(l).append('\n');
      }
      String closing = lines.get(last).strip();
      closing = closing.substring(0, closing.length() - 3).strip();
      if (!closing.isEmpty()) {
        prelude.append(closing).append('\n');
      }
    }
    directive = directive.strip();
    if (directive.equals("skip") || directive.startsWith("skip ")) {
      String reason = directive.substring(4).strip();
      if (reason.isEmpty()) {
        throw new AssertionError(file + ":" + (fence + 1) + ": `doctest: skip` needs a reason");
      }
      return new Annotation(reason, List.of(), prelude.toString());
    }
    List<String[]> attributes = new ArrayList<>();
    Matcher a = ATTRIBUTE.matcher(directive);
    int at = 0;
    while (at < directive.length()) {
      if (Character.isWhitespace(directive.charAt(at))) {
        at++;
        continue;
      }
      if (!a.find(at) || a.start() != at) {
        throw new AssertionError(file + ":" + (fence + 1) + ": cannot read the doctest "
            + "annotation at '" + directive.substring(at) + "'");
      }
      String value = a.group(2) != null ? a.group(2).replaceAll("\\\\(.)", "$1")
          : a.group(3) != null ? a.group(3) : "";
      attributes.add(new String[] {a.group(1), value});
      at = a.end();
    }
    return new Annotation(null, attributes, prelude.toString());
  }
}
