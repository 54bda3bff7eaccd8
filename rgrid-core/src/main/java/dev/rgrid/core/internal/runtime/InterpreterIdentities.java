package dev.rgrid.core.internal.runtime;

import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an interpreter is, for result cache keys: its real path and the version it reports. The
 * version is asked once per binary and asked again when the file changes (size or modification
 * time), as it does when a package manager upgrades it in place.
 */
final class InterpreterIdentities {
  private static final Logger LOG = LoggerFactory.getLogger(InterpreterIdentities.class);
  private static final String PYTHON_VERSION = "import sys; print(sys.version)";

  private final String hostPath;
  private final Map<Path, Known> known = new ConcurrentHashMap<>();

  /** @param hostPath the {@code PATH} given to the interpreter while it reports its version */
  InterpreterIdentities(String hostPath) {
    this.hostPath = hostPath;
  }

  /**
   * {@code <real path> <version>} of {@code interpreter}, e.g. {@code /usr/bin/python3.11 3.11.2
   * (main, …) [GCC 12.2.0]}.
   *
   * @throws RuntimeUnavailableException when the interpreter no longer exists
   */
  String of(Path interpreter) {
    Path real;
    BasicFileAttributes attrs;
    try {
      real = interpreter.toRealPath();
      attrs = Files.readAttributes(real, BasicFileAttributes.class);
    } catch (IOException e) {
      throw new RuntimeUnavailableException("the interpreter " + interpreter
          + " is no longer usable: " + e, "check that it is still installed, then try again", e);
    }
    Known k = known.get(real);
    if (k != null && k.size() == attrs.size() && k.modified().equals(attrs.lastModifiedTime())) {
      return k.identity();
    }
    // Two threads may both ask a changed binary once: harmless, and no lock is held meanwhile.
    String identity = real + " " + version(real, attrs);
    known.put(real, new Known(attrs.size(), attrs.lastModifiedTime(), identity));
    return identity;
  }

  private String version(Path real, BasicFileAttributes attrs) {
    boolean python = HostCommands.isPython(real.toString());
    List<String> argv = python ? List.of(real.toString(), "-I", "-c", PYTHON_VERSION)
        : List.of(real.toString(), "--version");
    // The real binary, never a shim: it needs nothing of the host's environment.
    HostCommands.Output out = HostCommands.run(argv, Map.of("PATH", hostPath, "LANG", "C.UTF-8",
        "LC_ALL", "C.UTF-8"));
    String printed = out.failure() == null ? summary(out.stdout(), python) : "";
    if (!printed.isEmpty()) {
      return printed;
    }
    // Some interpreters (dash) know no --version: the file's size and time still change
    // whenever the binary does.
    LOG.debug("{} did not report a version ({}); identifying it by size and time", real,
        out.failure());
    return "(size " + attrs.size() + ", modified " + attrs.lastModifiedTime() + ")";
  }

  /**
   * Python's whole {@code sys.version} (older builds split it over two lines), or the first
   * non-blank line of what another interpreter prints for {@code --version}; whitespace folded.
   */
  private static String summary(String printed, boolean python) {
    String text = python ? printed.strip()
        : printed.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
    String line = text.strip().replaceAll("\\s+", " ");
    return line.length() > 300 ? line.substring(0, 300) : line;
  }

  private record Known(long size, FileTime modified, String identity) {}
}
