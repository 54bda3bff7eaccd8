package dev.rgrid.backend.docker.internal;

import dev.rgrid.spi.runtime.ContainerSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a warm container learns which script to run: its {@code /bin/sh} waits on stdin for launch
 * lines (the environment, then the argument vector, one value per line), exports and {@code
 * exec}s them. The values are data to the shell, only ever expanded as quoted {@code "$a"}: no
 * value is parsed as shell code. Bytes after the launch lines are the script's own stdin ({@code
 * read} takes a pipe byte by byte, so it never reads past its line).
 */
final class WarmLaunch {
  /** The launcher, fixed text: {@code sh -c SCRIPT rgrid-launch}. */
  static final String SCRIPT = String.join("\n",
      "IFS= read -r m && [ \"$m\" = rgrid-launch-1 ] || exit 125",
      "IFS= read -r n || exit 125",
      "case $n in ''|*[!0-9]*) exit 125;; esac",
      "while [ \"$n\" -gt 0 ]; do IFS= read -r a || exit 125; export \"$a\" || exit 125; "
          + "n=$((n-1)); done",
      "IFS= read -r n || exit 125",
      "case $n in ''|*[!0-9]*) exit 125;; esac",
      "set --",
      "while [ \"$n\" -gt 0 ]; do IFS= read -r a || exit 125; set -- \"$@\" \"$a\"; "
          + "n=$((n-1)); done",
      "exec \"$@\"",
      "");

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  // Beyond these the line protocol would cost more than the warm start saves.
  private static final int MAX_VALUES = 4096;
  private static final int MAX_BYTES = 1 << 20;

  private WarmLaunch() {}

  /**
   * The launch lines for {@code spec}, or empty when a warm container cannot run it as a fresh
   * one would (a value holding a newline or NUL, an unusual variable name, a huge command line).
   */
  static Optional<byte[]> lines(ContainerSpec spec) {
    List<String> command = spec.runtime().command();
    List<String> argv = new ArrayList<>(command);
    argv.add(ContainerRecipe.SCRIPTS + "/" + spec.scriptName());
    argv.addAll(spec.args());
    if (argv.size() + spec.env().size() > MAX_VALUES) {
      return Optional.empty();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    line(out, "rgrid-launch-1");
    line(out, Integer.toString(spec.env().size()));
    for (Map.Entry<String, String> e : spec.env().entrySet()) {
      if (!ENV_NAME.matcher(e.getKey()).matches() || !plain(e.getValue())) {
        return Optional.empty();
      }
      line(out, e.getKey() + "=" + e.getValue());
    }
    line(out, Integer.toString(argv.size()));
    for (String a : argv) {
      if (!plain(a)) {
        return Optional.empty();
      }
      line(out, a);
    }
    return out.size() > MAX_BYTES ? Optional.empty() : Optional.of(out.toByteArray());
  }

  private static boolean plain(String value) {
    return value.indexOf('\n') < 0 && value.indexOf('\0') < 0;
  }

  private static void line(ByteArrayOutputStream out, String value) {
    out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
    out.write('\n');
  }
}
