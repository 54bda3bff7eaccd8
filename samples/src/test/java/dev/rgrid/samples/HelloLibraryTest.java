package dev.rgrid.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HelloLibraryTest {
  @Test
  void theSampleRunsTheHelloScriptAndDownloadsItsSummary(@TempDir Path out) throws Exception {
    Path hello = Path.of("hello"); // the module directory is the working directory in tests
    int code = HelloLibrary.run(hello.resolve("hello.py"), hello.resolve("data.csv"), out);
    assertThat(code).isZero();
    try (Stream<Path> files = Files.walk(out)) {
      Path summary = files.filter(p -> p.getFileName().toString().equals("summary.csv"))
          .findFirst().orElseThrow();
      assertThat(Files.readString(summary)).contains("5,9163894,Berlin");
    }
  }
}
