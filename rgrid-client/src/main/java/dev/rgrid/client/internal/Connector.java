package dev.rgrid.client.internal;

import dev.rgrid.client.RemoteRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RemoteConnector;
import java.net.URI;

/** What {@link RGrid#connect(URI, String)} finds on the class path: a {@link RemoteRGrid}. */
public final class Connector implements RemoteConnector {
  /** For {@link java.util.ServiceLoader}. */
  public Connector() {}

  @Override
  public RGrid connect(URI url, String apiKey) {
    return RemoteRGrid.connect(url, apiKey);
  }
}
