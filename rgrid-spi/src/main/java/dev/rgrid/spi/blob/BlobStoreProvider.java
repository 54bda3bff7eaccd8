package dev.rgrid.spi.blob;

import java.util.Map;

/**
 * Opens a shared blob store from settings, found with {@link java.util.ServiceLoader} so that
 * RGrid opens a store named in configuration without depending on its backend. A backend module
 * registers one in {@code META-INF/services/dev.rgrid.spi.blob.BlobStoreProvider}.
 */
public interface BlobStoreProvider {
  /**
   * Whether {@code settings} name a store it opens. Settings use environment variable names
   * ({@code RGRID_S3_ENDPOINT}, …), filled from the environment or the configuration file.
   */
  boolean accepts(Map<String, String> settings);

  /**
   * Opens the store.
   *
   * @throws IllegalArgumentException naming a missing or invalid setting
   * @throws dev.rgrid.spi.BackendUnavailableException when it cannot be reached or refuses
   */
  BlobStore open(Map<String, String> settings);
}
