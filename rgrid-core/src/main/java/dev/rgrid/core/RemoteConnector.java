package dev.rgrid.core;

import java.net.URI;

/**
 * Opens an {@link RGrid} that talks to an RGrid server, for {@link RGrid#connect(URI, String)}.
 * Core holds no HTTP client: a client module (rgrid-client) implements this and registers it in
 * {@code META-INF/services/dev.rgrid.core.RemoteConnector}, so it is found when it is on the class
 * path.
 */
public interface RemoteConnector {
  /**
   * An RGrid whose executions live on the server at {@code url}, authenticated with {@code
   * apiKey}; the caller closes it.
   *
   * @throws IllegalArgumentException when the URL is not an {@code http} or {@code https} URL or
   *     the key is blank
   */
  RGrid connect(URI url, String apiKey);
}
