package dev.rgrid.spi.runtime;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of the runtime catalog: a named environment a script runs in.
 *
 * @param name the name users give ({@code python3.11}, {@code node20}, {@code bash})
 * @param image the container image for runtimes that isolate (validated, never spliced into a shell)
 * @param command the argument vector that runs a script inside the image, the script path and the
 *     script's arguments appended after it (e.g. {@code [python3, -u]})
 * @param hostInterpreters for the local process runtime: the host commands that can stand in for
 *     {@code command[0]}, tried in order (e.g. {@code [python3.11, python3]})
 * @param scriptSuffix the usual file suffix of its scripts ({@code .py}), used for detection
 */
public record RuntimeDefinition(String name, String image, List<String> command,
    List<String> hostInterpreters, String scriptSuffix) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,63}");
  // A conservative subset of the Docker reference grammar: [registry/]path[:tag][@digest].
  private static final Pattern IMAGE = Pattern.compile(
      "[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
          + "(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?");

  /** Validates the name, the image reference and the command. */
  public RuntimeDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(image, "image");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid runtime name: '" + name + "'");
    }
    if (image.length() > 255 || !IMAGE.matcher(image).matches()) {
      throw new IllegalArgumentException("invalid image reference for runtime " + name + ": '"
          + image + "'");
    }
    command = List.copyOf(command);
    hostInterpreters = List.copyOf(hostInterpreters);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("empty command for runtime " + name);
    }
    for (String part : command) {
      if (part.isEmpty() || part.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("invalid command part for runtime " + name);
      }
    }
    scriptSuffix = scriptSuffix == null ? "" : scriptSuffix;
  }

  /** Whether {@code image} is a valid image reference. */
  public static boolean isValidImage(String image) {
    return image != null && image.length() <= 255 && IMAGE.matcher(image).matches();
  }
}
