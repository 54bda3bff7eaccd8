package dev.rgrid.backend.postgres;

import dev.rgrid.spi.store.SharedState;
import dev.rgrid.spi.store.SharedStateProvider;

/** Opens {@code jdbc:postgresql:} URLs as a {@link PostgresBackend}. */
public final class PostgresStateProvider implements SharedStateProvider {
  @Override
  public boolean accepts(String url) {
    return url != null && url.startsWith("jdbc:postgresql:");
  }

  @Override
  public SharedState open(String url, String user, String password) {
    return PostgresBackend.open(PostgresSettings.of(url, user, password));
  }
}
