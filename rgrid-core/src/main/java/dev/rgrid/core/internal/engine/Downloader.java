package dev.rgrid.core.internal.engine;

import dev.rgrid.core.preparation.VerifiedDownloads;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.store.Artifact;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/** Writes artifacts from the blob store into a local directory, verified ({@link VerifiedDownloads}). */
public final class Downloader {
  private final BlobStore blobs;

  /** Reads from {@code blobs}. */
  public Downloader(BlobStore blobs) {
    this.blobs = blobs;
  }

  /** Writes each artifact at its relative path under {@code directory}; returns the files. */
  public List<Path> download(List<Artifact> artifacts, Path directory) {
    return VerifiedDownloads.download(artifacts, directory, "the blob store", (a, part) -> {
      try (InputStream in = blobs.open(a.blob())) {
        return VerifiedDownloads.copy(in, part);
      }
    });
  }
}
