package dev.rgrid.core.preparation;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.internal.batch.BatchException;
import dev.rgrid.core.internal.batch.Globs;
import dev.rgrid.core.internal.blob.Blobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What an estimate needs of a script and its inputs, read where the files are (here, or in a
 * client that sends it to a server, which estimates from its history).
 *
 * @param scriptName the script's file name, whose suffix chooses a runtime when none is given
 * @param sha256 the digest of its content, which finds past runs of the same script
 * @param inputs how many executions it means (one per input; 1 without globs)
 */
public record EstimateSubject(String scriptName, String sha256, int inputs) {
  /**
   * Reads {@code script} (relative to {@code baseDirectory}) and counts the inputs {@code globs}
   * match there.
   *
   * @throws InvalidRunSpecException for a missing or unreadable script or a glob that matches
   *     nothing
   */
  public static EstimateSubject read(Path script, List<String> globs, Path baseDirectory) {
    Path file = baseDirectory.resolve(script).normalize();
    String sha = sha256(file);
    int inputs = 1;
    if (!globs.isEmpty()) {
      try {
        inputs = Globs.expand(baseDirectory, globs).size();
      } catch (BatchException e) {
        throw new InvalidRunSpecException(e.getMessage(), e.hint().orElse(null));
      }
    }
    return new EstimateSubject(file.getFileName().toString(), sha, inputs);
  }

  private static String sha256(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidRunSpecException("script " + file + " does not exist",
          "check the path; RGrid's own options go before the script");
    }
    try {
      return Blobs.digest(file).key().sha256();
    } catch (IOException e) {
      throw new InvalidRunSpecException("cannot read script " + file + ": " + e.getMessage(),
          "check that the file is readable");
    }
  }
}
