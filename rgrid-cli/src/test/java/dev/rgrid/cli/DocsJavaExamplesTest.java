package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.cli.DocBlocks.Annotation;
import dev.rgrid.cli.DocBlocks.Block;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of {@code README.md} and {@code docs/*.md} against the public
 * API (this module's test class path), so an example cannot call what does not exist; and runs
 * the README's example end to end.
 *
 * <p>A block is compiled as the body of a method {@code static void example(...) throws
 * Exception} in a class that imports {@code dev.rgrid.core.*}, {@code dev.rgrid.spi.*}, {@code
 * dev.rgrid.spi.store.*}, {@code dev.rgrid.backend.docker.*}, {@code java.net.URI}, {@code
 * java.nio.file.*}, {@code java.time.*}, {@code java.util.*} and {@code dev.rgrid.core.pipeline.*}.
 * Its {@code doctest} annotation
 * (syntax in {@link DocBlocks}; none is needed) may say:
 *
 * <ul>
 *   <li>{@code given="RGrid rgrid"}: the method's parameters, for a fragment that uses a variable
 *       it does not declare;
 *   <li>{@code java-class}: the block is whole top-level types (only the imports are added);
 *   <li>{@code run} (with optional {@code file="GLOB"}): also run it, as {@code main}, in a fresh
 *       directory holding the files of {@code samples/hello} ({@code hello.py}, {@code data.csv}),
 *       with a fresh {@code RGRID_HOME} and {@code RGRID_RUNTIME=process}; it must exit 0 and
 *       leave a file matching each glob;
 *   <li>{@code skip REASON}: not compiled.
 * </ul>
 */
class DocsJavaExamplesTest {
  private static final Path ROOT = DocsEndToEndTest.ROOT;
  private static final Set<String> ATTRIBUTES = Set.of("given", "java-class", "run", "file");
  private static final String IMPORTS = "import dev.rgrid.core.*; import dev.rgrid.spi.*; "
      + "import dev.rgrid.spi.store.*; import dev.rgrid.backend.docker.*; import java.net.URI; "
      + "import java.nio.file.*; import java.time.*; import java.util.*; "
      + "import dev.rgrid.core.pipeline.*;";
  private static final Pattern CLASS_NAME =
      Pattern.compile("(?m)^\\s*public\\s+(?:final\\s+)?(?:class|record|interface)\\s+(\\w+)");

  @TempDir Path temp;

  /** A block as a compilation unit: its source file and the line its text starts on there. */
  private record Unit(Block block, Path source, String className, int firstLine) {}

  @Test
  void everyJavaExampleCompilesAgainstThePublicApiAndTheReadmeExampleRuns() throws Exception {
    List<Block> blocks = new ArrayList<>(DocBlocks.read(ROOT, "README.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted()
          .forEach(p -> blocks.addAll(DocBlocks.read(ROOT, ROOT.relativize(p).toString())));
    }
    Path src = Files.createDirectories(temp.resolve("src"));
    Path classes = Files.createDirectories(temp.resolve("classes"));
    List<Unit> units = new ArrayList<>();
    for (Block b : blocks) {
      if (!b.language().equals("java")) {
        continue;
      }
      Annotation a = b.annotation();
      if (a != null && a.skipReason() != null) {
        continue;
      }
      if (a != null) {
        assertThat(a.unknown(ATTRIBUTES)).as(b.where() + ": unknown doctest attributes").isEmpty();
      }
      units.add(unit(b, src, units.size() + 1));
    }
    assertThat(units).as("java blocks found in the documentation").isNotEmpty();

    List<String> errors = compile(units, classes);
    assertThat(errors).as("documentation examples that do not compile").isEmpty();

    List<Unit> runs = units.stream()
        .filter(u -> u.block().annotation() != null && u.block().annotation().has("run")).toList();
    assertThat(runs).as("the README's example is run").isNotEmpty();
    for (Unit u : runs) {
      run(u, classes);
    }
  }

  private static Unit unit(Block b, Path src, int n) throws IOException {
    Annotation a = b.annotation();
    String text;
    String name;
    int firstLine;
    if (a != null && a.has("java-class")) {
      Matcher m = CLASS_NAME.matcher(b.text());
      name = m.find() ? m.group(1) : "DocExample" + n;
      text = IMPORTS + "\n" + b.text();
      firstLine = 2;
    } else {
      name = "DocExample" + n;
      String given = a == null ? "" : a.get("given").orElse("");
      String main = given.isEmpty()
          ? " public static void main(String[] args) throws Exception { example(); }" : "";
      text = IMPORTS + "\npublic class " + name + " {" + main + "\nstatic void example(" + given
          + ") throws Exception {\n" + b.text() + "}}\n";
      firstLine = 4;
    }
    Path source = src.resolve(name + ".java");
    if (Files.exists(source)) {
      throw new AssertionError(b.where() + ": a second top-level type named " + name);
    }
    Files.writeString(source, text);
    return new Unit(b, source, name, firstLine);
  }

  /** Compiles all units at once; returns each error as {@code file:line: message}. */
  private static List<String> compile(List<Unit> units, Path classes) throws IOException {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    assertThat(compiler).as("a JDK compiler (the tests need a JDK, not a JRE)").isNotNull();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Map<Path, Unit> bySource = new LinkedHashMap<>();
    units.forEach(u -> bySource.put(u.source().toAbsolutePath(), u));
    try (StandardJavaFileManager files =
        compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      StringWriter out = new StringWriter();
      boolean ok = compiler.getTask(out, files, diagnostics,
          List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(),
              "-proc:none", "-Xlint:none"),
          null, files.getJavaFileObjectsFromPaths(bySource.keySet())).call();
      List<String> errors = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() != Diagnostic.Kind.ERROR) {
          continue;
        }
        Unit u = d.getSource() == null ? null
            : bySource.get(Path.of(d.getSource().toUri()).toAbsolutePath());
        String where = u == null ? "?" : u.block().file() + ":"
            + (u.block().line() + d.getLineNumber() - u.firstLine() + 1);
        errors.add(where + ": " + d.getMessage(Locale.ROOT));
      }
      if (!ok && errors.isEmpty()) {
        errors.add("the compiler failed: " + out);
      }
      return errors;
    }
  }

  private void run(Unit u, Path classes) throws Exception {
    Path dir = Files.createDirectories(temp.resolve("run-" + u.className()));
    Path cwd = Files.createDirectories(dir.resolve("cwd"));
    try (Stream<Path> sample = Files.list(ROOT.resolve("samples/hello"))) {
      for (Path f : (Iterable<Path>) sample::iterator) {
        Files.copy(f, cwd.resolve(f.getFileName()));
      }
    }
    Path home = dir.resolve("rgrid-home");
    try (Cli cleanup = new Cli(home, cwd)) {
      ProcessBuilder pb = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-cp", classes + java.io.File.pathSeparator + System.getProperty("java.class.path"),
          u.className())
          .directory(cwd.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("output").toFile());
      pb.environment().put("RGRID_HOME", home.toString());
      pb.environment().put("RGRID_RUNTIME", "process");
      Process p = pb.start();
      boolean ended = p.waitFor(Cli.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      if (!ended) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      String output = Files.readString(dir.resolve("output"));
      String what = u.block().where() + " run as main\n" + output;
      assertThat(ended).as(what + "\n(did not end within " + Cli.DEADLINE + ")").isTrue();
      assertThat(p.exitValue()).as(what).isZero();
      for (String glob : u.block().annotation().all("file")) {
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        try (Stream<Path> files = Files.walk(cwd)) {
          assertThat(files.map(cwd::relativize).anyMatch(m::matches))
              .as(what + "\na file " + glob + " afterwards").isTrue();
        }
      }
    }
  }
}
