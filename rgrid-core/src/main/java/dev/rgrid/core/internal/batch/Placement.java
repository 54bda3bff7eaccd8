package dev.rgrid.core.internal.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Puts a batch input into the script's arguments.
 *
 * <p>Every {@code {}} in any argument is replaced by the input's path, whether it is the whole
 * argument ({@code {}}) or part of one ({@code --in={}}, {@code {}.bak}), as GNU parallel does;
 * several placeholders all receive the same path. When no argument has one, the path is appended
 * as the last argument. {@code {{}}} stands for a literal {@code {}} (for a script that really
 * takes {@code {}}, such as an empty JSON object) and does not count as a placeholder. Nothing else
 * is special: a lone brace is kept as it is, and no shell quoting is involved
 * because arguments are passed to the script as a list, never through a shell.
 */
public final class Placement {
  /** The placeholder replaced by the input path. */
  public static final String PLACEHOLDER = "{}";

  /** How to write a literal {@code {}}. */
  public static final String ESCAPED_PLACEHOLDER = "{{}}";

  private Placement() {}

  /**
   * The arguments for one input.
   *
   * @param args the script arguments as the user gave them
   * @param input the input's path as the script will see it
   * @return a new list: {@code args} with placeholders replaced, or with {@code input} appended
   *     when there is none; escapes are turned into literal {@code {}} either way
   */
  public static List<String> place(List<String> args, String input) {
    Objects.requireNonNull(input, "input");
    boolean[] placed = {false};
    List<String> result = new ArrayList<>(args.size() + 1);
    for (String arg : args) {
      result.add(substitute(arg, input, placed));
    }
    if (!placed[0]) {
      result.add(input);
    }
    return List.copyOf(result);
  }

  /**
   * Whether {@link #place} would put the input into {@code args} rather than append it; lets a
   * front end show the user where the input goes before starting a batch.
   */
  public static boolean hasPlaceholder(List<String> args) {
    boolean[] placed = {false};
    for (String arg : args) {
      substitute(arg, "", placed);
    }
    return placed[0];
  }

  private static String substitute(String arg, String input, boolean[] placed) {
    StringBuilder b = new StringBuilder(arg.length() + input.length());
    int i = 0;
    while (i < arg.length()) {
      // the escape is tested first, so "{{}}" is never read as "{" + "{}" + "}"
      if (arg.startsWith(ESCAPED_PLACEHOLDER, i)) {
        b.append(PLACEHOLDER);
        i += ESCAPED_PLACEHOLDER.length();
      } else if (arg.startsWith(PLACEHOLDER, i)) {
        b.append(input);
        placed[0] = true;
        i += PLACEHOLDER.length();
      } else {
        b.append(arg.charAt(i++));
      }
    }
    return b.toString();
  }
}
