package dev.rgrid.core.internal.store;

import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The second process of {@link SqliteMultiProcessTest}: opens the database, says {@code READY},
 * waits for a line on standard input, then claims until the queue is empty, printing {@code
 * CLAIMED <id>} per claim and {@code DONE} at the end.
 *
 * <p>Arguments: database file, worker id, the instant to claim at.
 */
public final class ClaimingProcess {
  private ClaimingProcess() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    WorkerId worker = new WorkerId(args[1]);
    Instant now = Instant.parse(args[2]);
    try (SqliteDatabase db = SqliteDatabase.open(file); ExecutionQueue queue = db.queue()) {
      // Runs the claim path once before the race (nothing is claimable a day early), so class
      // loading in this fresh JVM does not hand the whole queue to the warm test JVM.
      if (!queue.claim(worker, 1, now.minus(Duration.ofDays(1)), Duration.ofMinutes(5))
          .isEmpty()) {
        throw new IllegalStateException("claimed an entry before its not-before time");
      }
      System.out.println("READY");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
          StandardCharsets.UTF_8));
      if (in.readLine() == null) {
        throw new IllegalStateException("the test closed standard input before saying go");
      }
      List<Claim> got;
      while (!(got = queue.claim(worker, 1, now, Duration.ofMinutes(5))).isEmpty()) {
        for (Claim c : got) {
          System.out.println("CLAIMED " + c.executionId());
        }
      }
      System.out.println("DONE");
      System.out.flush();
    }
  }
}
