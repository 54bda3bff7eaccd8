package dev.rgrid.core.internal.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workspaces are reused between attempts: nothing of one attempt may reach the next. */
class WorkspaceTest {
  @TempDir Path root;

  @Test
  void aWorkspaceGivenBackComesBackEmpty() throws IOException {
    Workspace.Pool pool = new Workspace.Pool(root);
    Path work;
    try (Workspace ws = pool.take()) {
      work = ws.workDir();
      Files.writeString(ws.workDir().resolve("out.csv"), "secret");
      Files.createDirectories(ws.workDir().resolve("a/b/c"));
      Files.writeString(ws.workDir().resolve("a/b/c/deep.txt"), "secret");
      Files.writeString(ws.scriptDir().resolve("main.py"), "print(1)");
      Files.writeString(ws.tmpDir().resolve("stdout"), "secret");
      Files.createSymbolicLink(ws.workDir().resolve("link"), root);
    }
    try (Workspace again = pool.take()) {
      assertThat(again.workDir()).as("the same directories, reused").isEqualTo(work);
      assertThat(entries(again.workDir())).isZero();
      assertThat(entries(again.scriptDir())).isZero();
      assertThat(entries(again.tmpDir())).isZero();
    }
    assertThat(root).as("the symbolic link was removed, not followed").isDirectory();
  }

  @Test
  void twoWorkspacesInUseAtOnceAreApart() {
    Workspace.Pool pool = new Workspace.Pool(root);
    try (Workspace one = pool.take(); Workspace two = pool.take()) {
      assertThat(one.workDir()).isNotEqualTo(two.workDir());
      assertThat(one.workDir().getParent().getParent()).isEqualTo(root);
    }
  }

  @Test
  void aWorkspaceAScriptLockedOrReplacedIsNotReused() throws IOException {
    Workspace.Pool pool = new Workspace.Pool(root);
    Path locked;
    try (Workspace ws = pool.take()) {
      locked = ws.workDir();
      Files.createDirectories(ws.workDir().resolve("ro"));
      Files.writeString(ws.workDir().resolve("ro/x"), "x");
      Files.setPosixFilePermissions(ws.workDir().resolve("ro"),
          PosixFilePermissions.fromString("r-x------"));
      Files.setPosixFilePermissions(ws.workDir(), PosixFilePermissions.fromString("r-x------"));
    }
    try (Workspace again = pool.take()) {
      // Emptied despite the modes the script left (its owner may always empty it).
      assertThat(again.workDir()).isEqualTo(locked);
      assertThat(entries(again.workDir())).isZero();
      assertThat(Files.isWritable(again.workDir())).isTrue();
      Files.delete(again.scriptDir());
      Files.createSymbolicLink(again.scriptDir(), root); // a directory replaced by a link
    }
    try (Workspace third = pool.take()) {
      assertThat(third.workDir()).as("the damaged workspace was dropped").isNotEqualTo(locked);
      assertThat(locked.getParent()).doesNotExist();
    }
    assertThat(root).isDirectory();
  }

  @Test
  void clearingRemovesIdleWorkspacesAndOnesGivenBackLater() throws IOException {
    Workspace.Pool pool = new Workspace.Pool(root);
    Workspace busy = pool.take();
    pool.take().close();
    pool.clear();
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left.toList()).containsExactly(busy.workDir().getParent());
    }
    busy.close();
    assertThat(entries(root)).isZero();
  }

  private static long entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
