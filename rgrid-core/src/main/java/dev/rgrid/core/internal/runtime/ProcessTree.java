package dev.rgrid.core.internal.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a script's main process and everything it started.
 *
 * <p>When the script was launched through {@code setsid}, it leads its own session and process
 * group whose id is its pid. Killing then takes three steps, each catching what the one before
 * can miss: a {@code kill -KILL -- -<pgid>} (the kernel signals the whole group at once, so a
 * process forking in a loop cannot outrun it), a scan of {@code /proc} for members of the session
 * that moved to a group of their own ({@code setpgid}), and finally every live descendant of the
 * main process as the JDK sees them. Only a process that starts a session of its own ({@code
 * setsid}, i.e. a deliberate daemon) escapes; the process runtime does not isolate.
 *
 * <p>Without a session of its own the tree can only be found through the descendants of a living
 * main process: children that outlive it are orphaned and out of reach.
 */
final class ProcessTree {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessTree.class);
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
  private static final Path PROC = Path.of("/proc");
  private static final int SCAN_ROUNDS = 3;

  private final Process main;
  private final Path killCommand;
  // Once the main process is gone and its group is empty, the group id may be reused by an
  // unrelated process: never signal it again.
  private boolean groupGone;

  /**
   * @param main the script's main process
   * @param killCommand the host's {@code kill} when {@code main} leads its own session and
   *     group, or {@code null} when it does not
   */
  ProcessTree(Process main, Path killCommand) {
    this.main = main;
    this.killCommand = killCommand;
  }

  /** Sends SIGKILL to the main process and every process of its tree that can be found. */
  synchronized void killAll() {
    boolean mainWasAlive = main.isAlive();
    if (killCommand != null && !groupGone) {
      if (!mainWasAlive && sessionMembers(main.pid()).isEmpty()) {
        // The usual end of a run: the script exited and left nothing behind. Every member of its
        // group is a member of its session too (setpgid cannot leave a session), so one scan
        // finding nobody means there is no group left to signal, and no kill process is started
        // (a fork and an exec that would cost each run more CPU than the scan). A member forking
        // while the scan runs cannot hide from it: its child gets a higher pid, which the listing
        // of /proc, in pid order, still reaches (unless pids wrap around at that very moment).
        groupGone = true;
      } else {
        boolean signalled = signalGroup();
        int members = killSessionStragglers();
        if (!signalled && members == 0 && !mainWasAlive) {
          groupGone = true;
        }
      }
    }
    // Once the main process is gone its children are orphaned, no longer its descendants: the
    // JDK's walk of every process would find nothing.
    if (mainWasAlive) {
      main.descendants().forEach(ProcessHandle::destroyForcibly);
    }
    // Through the handle, never Process.destroyForcibly(): that also closes the process's output
    // streams, dropping whatever the reader threads have not read yet.
    main.toHandle().destroyForcibly();
  }

  /** Runs {@code kill -KILL -- -<pgid>}; no shell is involved. */
  private boolean signalGroup() {
    long pgid = main.pid();
    try {
      Process kill = new ProcessBuilder(killCommand.toString(), "-KILL", "--", "-" + pgid)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      kill.getOutputStream().close();
      if (!kill.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        kill.destroyForcibly();
        LOG.warn("{} -KILL -- -{} did not finish within {}", killCommand, pgid, KILL_TIMEOUT);
        return false;
      }
      // Non-zero mostly means "no such process group": nothing left, or not formed yet.
      return kill.exitValue() == 0;
    } catch (IOException e) {
      LOG.warn("could not run {} to kill process group {}; killing processes one by one",
          killCommand, pgid, e);
      return false;
    } catch (InterruptedException e) {
      // Killing must complete even on an interrupted thread; keep the flag for the caller.
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Kills members of the script's session outside its process group. Repeated a few times, since
   * a member may fork while the scan runs.
   *
   * @return how many members were found in the first round
   */
  private int killSessionStragglers() {
    if (!Files.isDirectory(PROC)) {
      return 0;
    }
    int first = -1;
    for (int round = 0; round < SCAN_ROUNDS; round++) {
      List<Long> members = sessionMembers(main.pid());
      if (first < 0) {
        first = members.size();
      }
      if (members.isEmpty()) {
        break;
      }
      for (long pid : members) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    return Math.max(first, 0);
  }

  /** Live (non-zombie) processes whose session id is {@code sid}, read from {@code /proc}. */
  static List<Long> sessionMembers(long sid) {
    List<Long> members = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
      for (Path entry : entries) {
        long pid = parsePid(entry.getFileName().toString());
        if (pid <= 0 || pid == self) {
          continue;
        }
        String stat;
        try {
          stat = Files.readString(entry.resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
          continue; // the process ended between the listing and the read
        }
        if (inSession(stat, sid)) {
          members.add(pid);
        }
      }
    } catch (IOException e) {
      LOG.warn("could not list {} to find the processes of session {}", PROC, sid, e);
    }
    return members;
  }

  /**
   * Whether a {@code /proc/<pid>/stat} line belongs to a live member of session {@code sid}. The
   * command name in parentheses may itself hold spaces and parentheses, so fields are counted from
   * the last ')'.
   */
  static boolean inSession(String stat, long sid) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return false;
    }
    // After ") ": state ppid pgrp session ...
    String[] fields = stat.substring(close + 1).trim().split(" ");
    if (fields.length < 4 || fields[0].equals("Z") || fields[0].equals("X")) {
      return false;
    }
    return parsePid(fields[3]) == sid;
  }

  private static long parsePid(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(s);
  }
}
