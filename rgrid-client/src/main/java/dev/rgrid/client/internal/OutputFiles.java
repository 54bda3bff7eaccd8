package dev.rgrid.client.internal;

import dev.rgrid.core.preparation.VerifiedDownloads;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Downloads an execution's output files ({@code GET /executions/{id}/outputs/{path}}) into a
 * local directory, each verified and moved into place whole ({@link VerifiedDownloads}).
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
    return VerifiedDownloads.download(outputs, directory, id.value() + " on the server",
        (a, part) -> {
          Request request = http.request(outputUrl(id, a.path())).get().build();
          // Inside send: a connection lost mid-file fetches the whole file again, from scratch.
          return http.send(request, code -> false, r -> {
            try (InputStream in = r.body().byteStream()) {
              return VerifiedDownloads.copy(in, part);
            }
          });
        });
  }
}
