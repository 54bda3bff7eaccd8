package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Private files and directories are created so, and existing ones keep their mode. */
class PrivateFilesTest {
  @TempDir Path tmp;

  @BeforeEach
  void posixOnly() {
    assumeThat(PrivateFiles.posix(tmp)).as("a file system with POSIX permissions").isTrue();
  }

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
        LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void createsEveryMissingDirectoryPrivateAndLeavesExistingOnesAsTheyAre() throws Exception {
    Path mine = Files.createDirectory(tmp.resolve("mine"));
    Files.setPosixFilePermissions(mine, PosixFilePermissions.fromString("rwxr-x---"));
    Path deep = PrivateFiles.createDirectories(mine.resolve("a").resolve("b"));
    assertThat(mode(mine)).isEqualTo("rwxr-x---");
    assertThat(mode(mine.resolve("a"))).isEqualTo("rwx------");
    assertThat(mode(deep)).isEqualTo("rwx------");
    assertThat(PrivateFiles.createDirectories(deep)).isEqualTo(deep); // again: nothing to do
  }

  @Test
  void refusesAFileWhereADirectoryShouldBe() throws Exception {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertThatThrownBy(() -> PrivateFiles.createDirectories(file))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThatThrownBy(() -> PrivateFiles.createDirectories(file.resolve("below")))
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void createsFilesPrivateAndKeepsTheModeOfOnesItRewrites() throws Exception {
    Path made = PrivateFiles.createFile(tmp.resolve("new"));
    assertThat(mode(made)).isEqualTo("rw-------");
    assertThatThrownBy(() -> PrivateFiles.createFile(made))
        .isInstanceOf(FileAlreadyExistsException.class);
    Path shared = Files.writeString(tmp.resolve("shared"), "a long old content");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
    PrivateFiles.writeString(shared, "new");
    assertThat(shared).hasContent("new");
    assertThat(mode(shared)).isEqualTo("rw-r--r--");
    PrivateFiles.writeString(tmp.resolve("written"), "w");
    assertThat(mode(tmp.resolve("written"))).isEqualTo("rw-------");
    try (OutputStream out = PrivateFiles.newOutputStream(tmp.resolve("streamed"))) {
      out.write('s');
    }
    assertThat(mode(tmp.resolve("streamed"))).isEqualTo("rw-------");
    assertThat(PrivateFiles.createIfMissing(shared)).isEqualTo(shared);
    assertThat(mode(shared)).isEqualTo("rw-r--r--");
  }

  @Test
  void onAFileSystemWithoutPosixPermissionsCreatesPlainlyAndWarnsAboutNothing() throws Exception {
    try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(
        tmp.resolve("state.zip"), java.util.Map.of("create", "true"))) {
      Path home = zip.getPath("/home");
      assertThat(PrivateFiles.posix(home)).isFalse();
      PrivateFiles.createDirectories(home.resolve("blobs").resolve("tmp"));
      PrivateFiles.createFile(home.resolve("rgrid.db"));
      PrivateFiles.writeString(home.resolve("worker-id"), "w\n");
      PrivateFiles.restrictTree(home);
      assertThat(home.resolve("blobs").resolve("tmp")).isDirectory();
      assertThat(home.resolve("worker-id")).hasContent("w");
      assertThat(StateDirectory.warning(StateDirectory.homeAndDatabase(home))).isEmpty();
    }
  }

  @Test
  void restrictingATreeTakesGroupAndOthersOffEverythingButFollowsNoLink() throws Exception {
    Path outside = Files.writeString(tmp.resolve("outside"), "not mine to change");
    Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
    Path tree = Files.createDirectories(tmp.resolve("venv").resolve("bin"));
    Files.setPosixFilePermissions(tree, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path python = Files.writeString(tree.resolve("python"), "#!");
    Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxrwxr-x"));
    Files.createSymbolicLink(tree.resolve("link"), outside);
    PrivateFiles.restrictTree(tmp.resolve("venv"));
    assertThat(mode(tree)).isEqualTo("rwx------");
    assertThat(mode(python)).isEqualTo("rwx------");
    assertThat(mode(outside)).isEqualTo("rw-r--r--");
  }
}
