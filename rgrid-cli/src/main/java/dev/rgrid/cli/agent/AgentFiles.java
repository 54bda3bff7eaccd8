package dev.rgrid.cli.agent;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The agent's files in the state directory, and making them private (the directory 0700, files
 * 0600) with the JDK alone, for the thin client; the agent's side uses core's {@code
 * PrivateFiles}.
 */
public final class AgentFiles {
  /** The agent's Unix domain socket. */
  public static final String SOCKET = "agent.sock";
  /** The agent's output. */
  public static final String LOG = "agent.log";
  /** Held while a client starts an agent, so that only one starts. */
  public static final String START_LOCK = "agent.start";
  /** A system property that overrides the build identity (tests: a stale agent). */
  public static final String BUILD_PROPERTY = "rgrid.build";
  /**
   * A system property naming the CLI's full jar, set by {@code scripts/rgrid} when it starts the
   * small launcher jar ({@code rgrid-cli-launcher.jar}, this package alone) instead.
   */
  public static final String FULL_JAR_PROPERTY = "rgrid.jar";
  /** A system property that makes the client load what a command loads, then exit. */
  public static final String WARM_UP_PROPERTY = "rgrid.warm-up";

  private AgentFiles() {}

  static void createPrivateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(dir);
      }
    }
  }

  static Path createPrivateFile(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      // Kept: appended to.
    } catch (UnsupportedOperationException e) {
      if (!Files.exists(file)) {
        Files.createFile(file);
      }
    }
    return file;
  }
}
