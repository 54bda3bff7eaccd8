package dev.rgrid.core.preparation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.Artifact;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output files land whole and verified under their directory, or not at all. */
class VerifiedDownloadsTest {
  @TempDir Path dir;

  @Test
  void writesEachFileAtItsPathAndLeavesNoPartFiles() throws IOException {
    Map<String, String> contents = Map.of("a.txt", "alpha", "out/deep/b.txt", "beta");
    List<Artifact> artifacts = List.of(artifact("a.txt", "alpha"),
        artifact("out/deep/b.txt", "beta"));

    List<Path> written = VerifiedDownloads.download(artifacts, dir, "test",
        (a, part) -> VerifiedDownloads.copy(stream(contents.get(a.path())), part));

    assertThat(written).containsExactly(dir.resolve("a.txt"), dir.resolve("out/deep/b.txt"));
    assertThat(dir.resolve("out/deep/b.txt")).hasContent("beta");
    assertThat(partFiles()).isEmpty();
  }

  @Test
  void aFetchThatStartsAgainReplacesWhatItWroteBefore() {
    Artifact a = artifact("a.txt", "whole");

    VerifiedDownloads.download(List.of(a), dir, "test", (x, part) -> {
      VerifiedDownloads.copy(stream("a longer first attempt, cut off"), part);
      return VerifiedDownloads.copy(stream("whole"), part);
    });

    assertThat(dir.resolve("a.txt")).hasContent("whole");
  }

  @Test
  void aFileThatDoesNotMatchItsChecksumIsAbsentAndEarlierFilesStay() throws IOException {
    List<Artifact> artifacts = List.of(artifact("good.txt", "good"),
        artifact("bad.txt", "expected"));

    assertThatThrownBy(() -> VerifiedDownloads.download(artifacts, dir, "exec_1 on the server",
        (a, part) -> VerifiedDownloads.copy(stream(a.path().equals("bad.txt") ? "damaged"
            : "good"), part)))
        .isInstanceOf(RGridException.class)
        .hasMessageContaining("bad.txt of exec_1 on the server does not match its checksum");

    assertThat(dir.resolve("good.txt")).hasContent("good");
    assertThat(dir.resolve("bad.txt")).doesNotExist();
    assertThat(partFiles()).isEmpty();
  }

  @Test
  void aFailedFetchLeavesNeitherTheFileNorItsPart() throws IOException {
    Files.writeString(dir.resolve("a.txt"), "kept from before");

    assertThatThrownBy(() -> VerifiedDownloads.download(List.of(artifact("a.txt", "new")), dir,
        "test", (a, part) -> {
          Files.writeString(part, "half");
          throw new IOException("connection reset");
        }))
        .isInstanceOf(RGridException.class).hasMessageContaining("connection reset");

    assertThat(dir.resolve("a.txt")).as("an old file is not replaced by a broken one")
        .hasContent("kept from before");
    assertThat(partFiles()).isEmpty();
  }

  @Test
  void placesRelativePathsUnderTheDirectory() {
    Path root = dir.toAbsolutePath().normalize();
    assertThat(VerifiedDownloads.target(root, "out/a.txt")).isEqualTo(root.resolve("out/a.txt"));
    assertThat(VerifiedDownloads.target(root, "out/../b.txt")).isEqualTo(root.resolve("b.txt"));
  }

  @Test
  void refusesPathsThatLeaveTheDirectory() {
    Path root = dir.toAbsolutePath().normalize();
    for (String bad : new String[] {"../escape.txt", "a/../../escape.txt", "/etc/passwd", ".",
        ""}) {
      assertThatThrownBy(() -> VerifiedDownloads.target(root, bad)).as(bad)
          .isInstanceOf(RGridException.class).hasMessageContaining("refusing");
    }
  }

  private List<Path> partFiles() throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
    }
  }

  private static ByteArrayInputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(UTF_8));
  }

  private static Artifact artifact(String path, String content) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(content.getBytes(UTF_8));
      return new Artifact(path, content.length(), new BlobKey(HexFormat.of().formatHex(sha)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
