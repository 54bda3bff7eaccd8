package dev.rgrid.backend.minio;

import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.blob.BlobStoreProvider;
import java.util.Map;

/** Opens an {@link S3BlobStore} when {@code RGRID_S3_ENDPOINT} is set (see {@link S3Settings}). */
public final class S3BlobStoreProvider implements BlobStoreProvider {
  @Override
  public boolean accepts(Map<String, String> settings) {
    String endpoint = settings.get("RGRID_S3_ENDPOINT");
    return endpoint != null && !endpoint.isBlank();
  }

  @Override
  public BlobStore open(Map<String, String> settings) {
    return S3BlobStore.open(S3Settings.fromEnvironment(settings));
  }
}
