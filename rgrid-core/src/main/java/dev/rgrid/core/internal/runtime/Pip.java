package dev.rgrid.core.internal.runtime;

import dev.rgrid.spi.runtime.DependencyInstallException;
import dev.rgrid.spi.runtime.EnvironmentSpec;
import dev.rgrid.spi.runtime.PackageIndex;
import dev.rgrid.spi.runtime.RuntimeUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the process runtime calls {@code python -m venv} and {@code pip}: their command lines, their
 * environment, and what their failures mean.
 */
final class Pip {
  static final int SHOWN_REQUIREMENTS = 10;
  // Network settings, not package choices: without them pip cannot get out from behind a proxy.
  private static final List<String> PASSED_THROUGH = List.of("http_proxy", "https_proxy",
      "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE",
      "SSL_CERT_DIR");
  private static final long MAX_RELOCATED_FILE = 1 << 20;
  // What pip's requirements-file reader does more with than read a requirement: options after a
  // blank, comments, ${VARIABLE} expansion (which could put an index URL with its credentials
  // into an error message), continued lines.
  private static final Pattern FILE_SYNTAX = Pattern.compile("(^|\\s)[-#]|\\$\\{|\\\\$");

  private Pip() {}

  /**
   * Checks that each requirement means only itself once written, one per line, into the
   * requirements file pip reads. Core's validation already guarantees it; this keeps a caller
   * that skipped it from passing options to pip.
   *
   * @throws IllegalArgumentException naming the first requirement that does not
   */
  static void checkRequirements(List<String> requirements) {
    for (String r : requirements) {
      if (FILE_SYNTAX.matcher(r).find()) {
        throw new IllegalArgumentException("requirement '" + r + "' holds what pip would read "
            + "as an option, a comment, a variable or a continued line");
      }
    }
  }

  /**
   * A clean environment for the installers: nothing of the host's pip configuration (no {@code
   * PIP_*} variable, no {@code pip.conf}: {@code PIP_CONFIG_FILE} set to the null device makes
   * pip skip every configuration file), a private {@code HOME} and {@code TMPDIR}, UTF-8, and the
   * host's proxy settings.
   */
  static Map<String, String> environment(String hostPath, Path home, Path tmp) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", hostPath);
    env.put("HOME", home.toString());
    env.put("TMPDIR", tmp.toString());
    env.put("LANG", "C.UTF-8");
    env.put("LC_ALL", "C.UTF-8");
    env.put("PYTHONUNBUFFERED", "1");
    env.put("PYTHONIOENCODING", "utf-8");
    env.put("PYTHONNOUSERSITE", "1");
    env.put("PIP_CONFIG_FILE", HostCommands.nullDevice().getPath());
    for (String name : PASSED_THROUGH) {
      String value = System.getenv(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    return env;
  }

  /**
   * {@code environment} plus the index URLs, given to pip as variables rather than arguments: a
   * URL may carry credentials, and a command line is visible to every user of the machine. Hosts
   * of plain-http indexes are trusted, as pip otherwise ignores them; using one was the
   * configurer's choice.
   */
  static Map<String, String> withIndex(Map<String, String> environment, PackageIndex index) {
    Map<String, String> env = new HashMap<>(environment);
    if (index.noIndex()) {
      return env;
    }
    Set<String> trusted = new LinkedHashSet<>();
    if (index.indexUrl() != null) {
      env.put("PIP_INDEX_URL", index.indexUrl().toString());
      trust(index.indexUrl(), trusted);
    }
    if (!index.extraIndexUrls().isEmpty()) {
      List<String> extra = new ArrayList<>();
      for (URI url : index.extraIndexUrls()) {
        extra.add(url.toString());
        trust(url, trusted);
      }
      env.put("PIP_EXTRA_INDEX_URL", String.join(" ", extra));
    }
    if (!trusted.isEmpty()) {
      env.put("PIP_TRUSTED_HOST", String.join(" ", trusted));
    }
    return env;
  }

  private static void trust(URI url, Set<String> trusted) {
    if ("http".equals(url.getScheme())) {
      trusted.add(url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort());
    }
  }

  /**
   * {@code <python> -m pip install … -r <requirements>}. Source distributions are allowed (no
   * {@code --only-binary}): many packages publish nothing else for some platforms.
   */
  static List<String> installCommand(Path python, Path requirements, PackageIndex index) {
    List<String> argv = new ArrayList<>(List.of(python.toString(), "-m", "pip", "install",
        "--no-input", "--disable-pip-version-check", "--no-cache-dir", "--progress-bar", "off"));
    for (Path dir : index.findLinks()) {
      argv.add("--find-links");
      argv.add(dir.toString());
    }
    if (index.noIndex()) {
      argv.add("--no-index");
    }
    argv.add("-r");
    argv.add(requirements.toString());
    return argv;
  }

  /**
   * Checks that {@code python -m venv} made {@code venv}.
   *
   * @throws RuntimeUnavailableException when it did not, with a hint to install {@code
   *     python3-venv} when that is what is missing (Debian and Ubuntu split it off)
   */
  static void checkCreated(Path base, Path venv, StreamedCommand.Result result) {
    if (result.succeeded() && Files.isExecutable(venv.resolve("bin").resolve("python"))) {
      return;
    }
    String output = String.join("\n", result.lines());
    String why = result.timedOut() ? "it did not finish in time"
        : result.exitCode() != 0 ? "exit " + result.exitCode() + ": " + last(result.lines())
        : "it made no bin/python";
    if (output.contains("ensurepip is not") || output.contains("No module named venv")
        || output.contains("No module named ensurepip")) {
      throw new RuntimeUnavailableException("cannot create a Python virtual environment with "
          + base + ": its venv module is missing (" + why + ")",
          "install python3-venv (apt-get install python3-venv, or the python3.X-venv of this "
              + "Python), or use the Docker runtime", null);
    }
    throw new RuntimeUnavailableException("cannot create a Python virtual environment with "
        + base + " in " + venv + ": " + why, "check that '" + base + " -m venv DIR' works and "
        + "that there is free disk space in " + venv.getParent().getParent(), null);
  }

  /** @throws DependencyInstallException when pip failed, quoting its own error lines */
  static void checkInstalled(EnvironmentSpec env, StreamedCommand.Result result,
      Duration timeout) {
    if (result.succeeded()) {
      return;
    }
    String firstError = result.lines().stream().filter(l -> l.startsWith("ERROR:")).findFirst()
        .orElse(last(result.lines()));
    String how = result.timedOut()
        ? "pip did not finish within " + timeout.toMinutes() + " min and was killed"
        : "pip exited with " + result.exitCode() + (firstError.isEmpty() ? "" : ": " + firstError);
    throw new DependencyInstallException("installing the Python requirements "
        + describe(env.requirements()) + " failed: " + how, result.lines(),
        "check the package names and versions, and the package index (" + describe(env.index())
            + "): use --index-url for a mirror or --find-links for a directory of wheels");
  }

  /** The first {@value #SHOWN_REQUIREMENTS} requirements, and how many more there are. */
  static String describe(List<String> requirements) {
    String shown = String.join(", ", requirements.subList(0, Math.min(SHOWN_REQUIREMENTS,
        requirements.size())));
    int more = requirements.size() - SHOWN_REQUIREMENTS;
    return more > 0 ? shown + " and " + more + " more" : shown;
  }

  private static String describe(PackageIndex index) {
    List<String> parts = new ArrayList<>();
    if (index.noIndex()) {
      parts.add("no index");
    } else {
      parts.add(index.indexUrl() == null ? "pip's default index"
          : PackageIndex.redacted(index.indexUrl()));
      index.extraIndexUrls().forEach(u -> parts.add(PackageIndex.redacted(u)));
    }
    index.findLinks().forEach(d -> parts.add("--find-links " + d));
    return String.join(", ", parts);
  }

  /**
   * Makes a virtualenv built in one directory work from {@code target} after a rename: its python
   * finds its packages relative to itself, but the scripts in {@code bin} (pip's, and console
   * scripts of installed packages) carry the build directory in their {@code #!} line, and the
   * activate scripts and {@code pyvenv.cfg} name it too.
   */
  static void relocate(Path venv, Path target) throws IOException {
    String from = new String(venv.toString().getBytes(StandardCharsets.UTF_8),
        StandardCharsets.ISO_8859_1);
    String to = new String(target.toString().getBytes(StandardCharsets.UTF_8),
        StandardCharsets.ISO_8859_1);
    List<Path> files = new ArrayList<>(List.of(venv.resolve("pyvenv.cfg")));
    try (DirectoryStream<Path> bin = Files.newDirectoryStream(venv.resolve("bin"))) {
      bin.forEach(files::add);
    }
    for (Path file : files) {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
          || Files.size(file) > MAX_RELOCATED_FILE) {
        continue;
      }
      byte[] bytes = Files.readAllBytes(file);
      String name = file.getFileName().toString();
      boolean text = bytes.length > 1 && bytes[0] == '#' && bytes[1] == '!'
          || name.startsWith("activate") || name.startsWith("Activate")
          || name.equals("pyvenv.cfg");
      // Byte for byte (ISO-8859-1 maps each byte to one char): the rest of the file is kept as is.
      String content = new String(bytes, StandardCharsets.ISO_8859_1);
      if (text && content.contains(from)) {
        Files.write(file, content.replace(from, to).getBytes(StandardCharsets.ISO_8859_1));
      }
    }
  }

  private static String last(List<String> lines) {
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
