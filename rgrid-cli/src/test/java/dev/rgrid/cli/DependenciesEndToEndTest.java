package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.tck.Wheels;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Python dependencies through the CLI, from a local wheelhouse only. */
class DependenciesEndToEndTest {
  @TempDir Path root;
  @TempDir Path wheels;
  private Cli cli;

  @BeforeEach
  void open() throws Exception {
    cli = new Cli(root);
    Wheels.write(wheels, "tiny-pkg", "1.0.0");
  }

  @AfterEach
  void close() {
    cli.close();
  }

  @Test
  void saysWhatItDetectedAndInstallsFromTheWheelhouse() {
    cli.file("job.py", "# /// script\n# dependencies = ['tiny-pkg']\n# ///\n"
        + "import tiny_pkg\nprint(tiny_pkg.hello())\n");
    Cli.Result r = cli.runFromDevNull("run", "--no-index", "--find-links", wheels.toString(),
        "job.py");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("hello from tiny-pkg 1.0.0\n");
    assertThat(r.stderr()).contains("rgrid: dependencies from PEP 723 block in job.py: tiny-pkg");
  }

  @Test
  void theIndexComesFromTheEnvironmentToo() {
    cli.env("RGRID_PIP_FIND_LINKS", wheels.toString()).env("RGRID_PIP_NO_INDEX", "1");
    cli.file("requirements.txt", "tiny-pkg==1.0.0\n");
    cli.file("job.py", "import tiny_pkg\nprint(tiny_pkg.VERSION)\n");
    Cli.Result r = cli.runFromDevNull("run", "job.py");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("1.0.0\n");
    assertThat(r.stderr()).contains("requirements.txt");
  }

  @Test
  void badRequirementsAndIndexSettingsAreUsageErrors() {
    cli.file("job.py", "print(1)\n");
    cli.file("reqs.txt", "tiny-pkg; rm -rf /\n");
    Cli.Result hostile = cli.runFromDevNull("run", "--requirements", "reqs.txt", "job.py");
    assertThat(hostile.exitCode()).isEqualTo(2);
    assertThat(hostile.errorLines()).singleElement().asString().contains("line 1");
    Cli.Result url = cli.runFromDevNull("run", "--index-url", "ftp://x/simple", "job.py");
    assertThat(url.exitCode()).isEqualTo(2);
    assertThat(url.errorLines()).singleElement().asString().contains("--index-url");
    Cli.Result links = cli.runFromDevNull("run", "--find-links", "/no/such/dir", "job.py");
    assertThat(links.exitCode()).isEqualTo(2);
    cli.env("RGRID_PIP_NO_INDEX", "maybe");
    assertThat(cli.runFromDevNull("run", "job.py").errorLines()).singleElement().asString()
        .contains("RGRID_PIP_NO_INDEX");
  }

  @Test
  void aFailedInstallExitsWithRGridsErrorAndPipsReason() {
    cli.file("job.py", "import not_a_real_pkg_xyz\n");
    Cli.Result r = cli.runFromDevNull("run", "--no-index", "--find-links", wheels.toString(),
        "job.py");
    assertThat(r.exitCode()).isEqualTo(125);
    assertThat(r.stderr()).contains("not-a-real-pkg-xyz");
  }
}
