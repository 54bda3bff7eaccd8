package dev.rgrid.core.internal.spec;

import dev.rgrid.core.InvalidRunSpecException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The script's arguments and environment, checked against what {@code execve(2)} accepts, so that
 * a run the kernel would refuse ("argument list too long") is refused at submission instead of
 * failing as if the script had run.
 *
 * <p>Arguments and environment values reach the script as C strings: none may hold NUL. Linux
 * takes at most {@code MAX_ARG_STRLEN} (128 KiB, its terminating NUL included) per argument and
 * per {@code NAME=value}, and at most {@code ARG_MAX} (a quarter of the stack limit, 2 MiB by
 * default) for all of them, counting each string's bytes, its NUL and an 8-byte pointer. RGrid
 * allows 256 KiB counted that way: the runtimes add a few hundred bytes (the interpreter, the
 * script's path, {@code PATH}, {@code HOME} and a few more variables; the process runtime's longer
 * input paths), far inside the rest.
 */
public final class CommandLine {
  /** Longest argument or {@code NAME=value}, in UTF-8 bytes (MAX_ARG_STRLEN less the NUL). */
  public static final int MAX_STRING_BYTES = 128 * 1024 - 1;
  /** Most bytes of arguments and environment together, as the kernel counts them. */
  public static final int MAX_TOTAL_BYTES = 256 * 1024;
  /** What each string costs beyond its bytes: its NUL and a 64-bit pointer. */
  public static final int OVERHEAD_PER_STRING = 1 + 8;

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
  private static final String LARGE_HINT = "pass large data in a file instead (an argument "
      + "naming a local file is uploaded and the script reads it)";

  private CommandLine() {}

  /**
   * Checks {@code args} and {@code env} together.
   *
   * @throws InvalidRunSpecException naming the argument or variable, and the limit
   */
  public static void check(List<String> args, Map<String, String> env) {
    long total = 0;
    for (int i = 0; i < args.size(); i++) {
      total += checkArgument(i + 1, args.get(i)) + OVERHEAD_PER_STRING;
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      total += checkVariable(e.getKey(), e.getValue()) + OVERHEAD_PER_STRING;
    }
    if (total > MAX_TOTAL_BYTES) {
      throw new InvalidRunSpecException("the arguments and environment take " + total
          + " bytes, more than the " + MAX_TOTAL_BYTES + " (256 KiB) a run may pass, counting "
          + OVERHEAD_PER_STRING + " bytes per value for its terminator and pointer", LARGE_HINT);
    }
  }

  /** Checks argument {@code n} (from 1); returns its UTF-8 length. */
  private static long checkArgument(int n, String arg) {
    if (arg.indexOf('\0') >= 0) {
      throw new InvalidRunSpecException("argument " + n + " contains a NUL character",
          "arguments reach the script as C strings, which end at NUL; pass binary data in a "
              + "file instead");
    }
    long bytes = utf8Length(arg);
    if (bytes > MAX_STRING_BYTES) {
      throw new InvalidRunSpecException("argument " + n + " is " + bytes + " bytes long, more "
          + "than the " + MAX_STRING_BYTES + " one argument may have (the kernel's limit)",
          LARGE_HINT);
    }
    return bytes;
  }

  /** Checks one variable; returns the UTF-8 length of its {@code NAME=value}. */
  private static long checkVariable(String name, String value) {
    if (!ENV_NAME.matcher(name).matches()) {
      throw new InvalidRunSpecException("invalid environment variable name '"
          + Texts.printable(name) + "'", "names are 1-255 letters, digits and _, not starting "
              + "with a digit");
    }
    if (value.indexOf('\0') >= 0) {
      throw new InvalidRunSpecException("environment variable " + name
          + " contains a NUL character", "remove the NUL byte from its value");
    }
    long bytes = name.length() + 1 + utf8Length(value);
    if (bytes > MAX_STRING_BYTES) {
      throw new InvalidRunSpecException("environment variable " + name + " is " + bytes
          + " bytes long (as NAME=value), more than the " + MAX_STRING_BYTES + " one variable "
          + "may have (the kernel's limit)", LARGE_HINT);
    }
    return bytes;
  }

  /** The length of {@code s} in UTF-8, without encoding it (a lone surrogate counts 3). */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
