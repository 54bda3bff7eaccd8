package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The result cache through the CLI: reuse, bypass, stdin, listing and pruning. */
class CacheEndToEndTest {
  @TempDir Path root;
  private Cli cli;
  private Path starts;

  @BeforeEach
  void open() {
    cli = new Cli(root);
    starts = root.resolve("starts.log");
    cli.file("count.py", String.join("\n",
        "import os, sys",
        "open(os.environ['STARTS'], 'a').write('x')",
        "n = len(open(sys.argv[1]).read().split())",
        "open('n.txt', 'w').write(str(n))",
        "print('words', n)",
        ""));
    cli.file("in.txt", "a b c");
  }

  @AfterEach
  void close() {
    cli.close();
  }

  private int starts() throws Exception {
    return Files.exists(starts) ? Files.readString(starts).length() : 0;
  }

  private Cli.Result count(String... extra) {
    String[] args = new String[extra.length + 6];
    System.arraycopy(extra, 0, args, 1, extra.length);
    args[0] = "run";
    int i = extra.length + 1;
    args[i++] = "-e";
    args[i++] = "STARTS=" + starts;
    args[i++] = "--output-dir";
    args[i++] = "out";
    args[i] = "count.py";
    String[] full = java.util.Arrays.copyOf(args, args.length + 1);
    full[full.length - 1] = "in.txt";
    return cli.runFromDevNull(full);
  }

  @Test
  void aRerunIsServedFromTheCacheWithTheSameOutputAndExitCode() throws Exception {
    Cli.Result first = count();
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    assertThat(first.stdout()).isEqualTo("words 3\n");
    Files.delete(cli.cwd().resolve("out/n.txt"));

    Cli.Result second = count();
    assertThat(second.exitCode()).as(second.stderr()).isZero();
    assertThat(second.stdout()).isEqualTo("words 3\n");
    assertThat(second.stderr()).contains("reused the result of exec_");
    assertThat(cli.cwd().resolve("out/n.txt")).hasContent("3");
    assertThat(starts()).isEqualTo(1);

    Cli.Result bypass = count("--no-cache");
    assertThat(bypass.exitCode()).isZero();
    assertThat(bypass.stderr()).doesNotContain("reused");
    assertThat(starts()).isEqualTo(2);
  }

  @Test
  void pipedStdinIsPassedAndNeverCached() throws Exception {
    cli.file("echo.py", "import sys\nprint(sys.stdin.read().upper())\n");
    assertThat(cli.runWithStdin("hi".getBytes(), "run", "echo.py").stdout()).isEqualTo("HI\n");
    Cli.Result again = cli.runWithStdin("ho".getBytes(), "run", "echo.py");
    assertThat(again.stdout()).isEqualTo("HO\n");
    assertThat(again.stderr()).doesNotContain("reused");
  }

  @Test
  void cacheLsAndPrune() throws Exception {
    count();
    Cli.Result ls = cli.run("cache", "ls", "--json");
    assertThat(ls.exitCode()).as(ls.stderr()).isZero();
    JsonNode entries = Cli.json(ls.stdout());
    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).get("scriptName").asText()).isEqualTo("count.py");
    assertThat(entries.get(0).get("key").asText()).hasSize(64);
    assertThat(cli.run("cache", "ls").stdout()).contains("count.py");

    Cli.Result nothing = cli.run("cache", "prune");
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.errorLines()).singleElement().asString().contains("--older-than");
    assertThat(cli.run("cache", "prune", "--max-size", "lots").exitCode()).isEqualTo(2);
    assertThat(cli.run("cache", "prune", "--older-than", "-5d").exitCode()).isEqualTo(2);
    assertThat(cli.run("cache", "ls", "--limit", "0").exitCode()).isEqualTo(2);

    Cli.Result kept = cli.run("cache", "prune", "--older-than", "30d", "--json");
    assertThat(Cli.json(kept.stdout()).get("kept").asInt()).isEqualTo(1);
    // A run without output leaves an entry of 0 bytes, which --all removes as well.
    cli.file("silent.py", "pass\n");
    cli.runFromDevNull("run", "silent.py").requireSuccess();
    assertThat(Cli.json(cli.run("cache", "ls", "--json").stdout()).findValuesAsText("sizeBytes"))
        .contains("0");
    assertThat(cli.run("cache", "prune", "--all", "--max-size", "1g").exitCode()).isEqualTo(2);
    Cli.Result all = cli.run("cache", "prune", "--all", "--json");
    assertThat(Cli.json(all.stdout()).get("removed")).hasSize(2);
    assertThat(Cli.json(cli.run("cache", "ls", "--json").stdout())).isEmpty();
    count();
    assertThat(starts()).isEqualTo(2);
  }
}
