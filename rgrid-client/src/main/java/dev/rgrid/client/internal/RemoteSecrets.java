package dev.rgrid.client.internal;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.SecretInfo;
import dev.rgrid.core.Secrets;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.StoredSecret;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.RequestBody;

/**
 * The account's secrets on the server ({@code /api/v1/secrets}): a value travels only in the
 * body of a {@code PUT} (never in a URL, which proxies log) and never comes back. Names are
 * checked here first, as the library checks them.
 */
public final class RemoteSecrets implements Secrets {
  private final Http http;

  /** The calls, sent through {@code http}. */
  public RemoteSecrets(Http http) {
    this.http = http;
  }

  @Override
  public void set(String name, byte[] value) {
    HttpUrl url = url(name);
    // PUT is idempotent: a retry after a lost answer stores the same value.
    http.send(http.request(url).put(RequestBody.create(value.clone(), Http.BYTES)).build(),
        code -> false, r -> null);
  }

  @Override
  public List<SecretInfo> list() {
    Wire.SecretList list = http.send(http.request(http.url("secrets").build()).get().build(),
        code -> false, r -> Wire.read(r, Wire.SecretList.class, http.server()));
    try {
      return list.secrets().stream().map(s -> new SecretInfo(s.name(), s.updatedAt())).toList();
    } catch (RuntimeException e) {
      throw new RGridException("the RGrid server at " + http.server() + " answered a secret "
          + "list that is not valid: " + e.getMessage(),
          "check that RGRID_URL points at an RGrid server and that versions match", null, e);
    }
  }

  @Override
  public boolean remove(String name) {
    HttpUrl url = url(name);
    return http.send(http.request(url).delete().build(), code -> code == 404,
        r -> r.code() != 404);
  }

  /**
   * Refuses, before anything is uploaded, a run naming a secret the account does not have (the
   * server checks again when the run is created: one may be removed in between).
   *
   * @param refs environment variable to secret name
   * @throws InvalidRunSpecException naming the unknown ones
   */
  void requireKnown(Map<String, String> refs) {
    if (refs.isEmpty()) {
      return;
    }
    refs.values().forEach(this::url); // a malformed name is refused as set() refuses it
    Set<String> known = list().stream().map(SecretInfo::name).collect(Collectors.toSet());
    List<String> missing = refs.values().stream().distinct().filter(n -> !known.contains(n))
        .sorted().toList();
    if (!missing.isEmpty()) {
      throw new InvalidRunSpecException("no secret named " + String.join(", ", missing)
          + " in this account", "set it first with `rgrid secret set NAME` (list them with "
          + "`rgrid secret ls`)");
    }
  }

  @Override
  public int rotateKey() {
    throw new RGridException("the master key of secrets is the server's, not a client's",
        "run `rgrid secret rotate-key` on the server's host, with its state");
  }

  private HttpUrl url(String name) {
    if (!StoredSecret.isName(name)) {
      try {
        StoredSecret.checkName(name);
      } catch (IllegalArgumentException e) {
        throw new InvalidRunSpecException(e.getMessage(), "name secrets like environment "
            + "variables");
      }
    }
    return http.url("secrets").addPathSegment(name).build();
  }
}
