package dev.rgrid.spi.store;

/**
 * Opens shared state from a URL, found with {@link java.util.ServiceLoader} so that RGrid opens a
 * database named in configuration ({@code RGRID_DB_URL}, {@code store.url}) without depending on
 * its backend. A backend module registers one in {@code
 * META-INF/services/dev.rgrid.spi.store.SharedStateProvider}.
 */
public interface SharedStateProvider {
  /** Whether it opens {@code url} (for example, {@code jdbc:postgresql:} URLs). */
  boolean accepts(String url);

  /**
   * Opens the state at {@code url}, bringing its schema up to date.
   *
   * @param user the user name, or {@code null}
   * @param password the password, or {@code null}; never logged
   * @throws dev.rgrid.spi.BackendUnavailableException when it cannot be reached or refuses
   */
  SharedState open(String url, String user, String password);
}
