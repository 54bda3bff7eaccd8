package dev.rgrid.core.internal.engine;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.SharedState;
import dev.rgrid.spi.store.SharedStateProvider;
import java.util.ServiceLoader;

/** Opens shared state from a URL with the provider on the class path that accepts it. */
public final class SharedStates {
  private SharedStates() {}

  /**
   * The state at {@code url}.
   *
   * @throws RGridException when no provider accepts the URL (naming it, without credentials)
   */
  public static SharedState open(String url, String user, String password) {
    for (SharedStateProvider provider : ServiceLoader.load(SharedStateProvider.class)) {
      if (provider.accepts(url)) {
        return provider.open(url, user, password);
      }
    }
    throw new RGridException("no backend on the class path opens the store URL '"
        + redacted(url) + "'", "RGRID_DB_URL or store.url should be a jdbc:postgresql:// URL, "
        + "with rgrid-backend-postgres on the class path");
  }

  static String redacted(String url) {
    String cut = url.length() > 200 ? url.substring(0, 200) + "…" : url;
    return cut.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }
}
