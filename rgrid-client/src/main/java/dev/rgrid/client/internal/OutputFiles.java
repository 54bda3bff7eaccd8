package dev.rgrid.client.internal;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.Artifact;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Downloads an execution's output files ({@code GET /executions/{id}/outputs/{path}}) into a
 * local directory: each through a hidden temporary file beside its target, checked against its
 * SHA-256 and then moved into place, so a file is either complete and correct or absent. A path
 * that would land outside the directory is refused, whatever the server says.
 */
final class OutputFiles {
  private final Http http;

  OutputFiles(Http http) {
    this.http = http;
  }

  /**
   * The URL of output {@code path} of {@code id}: each of its {@code /}-separated names one
   * segment, percent-encoded whole (a space, {@code %}, {@code #}, {@code ?}, {@code \} or a
   * letter outside ASCII stays part of its name; the server decodes it once).
   */
  HttpUrl outputUrl(ExecutionId id, String path) {
    HttpUrl.Builder url = http.url("executions/" + id.value() + "/outputs");
    for (String name : path.split("/", -1)) {
      url.addPathSegment(name);
    }
    return url.build();
  }

  List<Path> download(ExecutionId id, List<Artifact> outputs, Path directory) {
    Path root = directory.toAbsolutePath().normalize();
    List<Path> written = new ArrayList<>();
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw cannotWrite(root, e);
    }
    for (Artifact a : outputs) {
      Path target = target(root, a.path());
      Path tmp = null;
      try {
        Files.createDirectories(target.getParent());
        // Not createTempFile: its 0600 mode would stick; a new file gets the umask's mode.
        tmp = target.resolveSibling(".rgrid-" + UUID.randomUUID() + ".part");
        Path part = tmp;
        Request request = http.request(outputUrl(id, a.path())).get().build();
        // Inside send: a connection lost mid-file fetches the whole file again, from scratch.
        String actual = http.send(request, code -> false, r -> {
          MessageDigest sha = sha256();
          try (InputStream in = r.body().byteStream();
              OutputStream out = new DigestOutputStream(Files.newOutputStream(part,
                  StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                  StandardOpenOption.WRITE), sha)) {
            in.transferTo(out);
          }
          return HexFormat.of().formatHex(sha.digest());
        });
        if (!actual.equals(a.blob().sha256())) {
          throw new RGridException("downloaded " + a.path() + " of " + id
              + " does not match its checksum", "download it again; if it persists, the "
              + "server's copy is damaged: run the script again", id.value(), null);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
        tmp = null;
        written.add(target);
      } catch (IOException e) {
        throw cannotWrite(target, e);
      } finally {
        if (tmp != null) {
          try {
            Files.deleteIfExists(tmp);
          } catch (IOException ignored) {
            // best effort: the temporary file is hidden and named .part
          }
        }
      }
    }
    return written;
  }

  /** Where {@code path} goes under {@code root}; refuses a path that leaves it. */
  static Path target(Path root, String path) {
    Path target = root.resolve(path).normalize();
    if (!target.startsWith(root) || target.equals(root)) {
      throw new RGridException("refusing to write output path '" + path + "' outside " + root,
          "the server sent an unsafe path; report it to its operator");
    }
    return target;
  }

  private static RGridException cannotWrite(Path path, IOException e) {
    return new RGridException("cannot write " + path + ": " + e.getMessage(),
        "check free space and permissions, or pass another --output-dir", null, e);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
