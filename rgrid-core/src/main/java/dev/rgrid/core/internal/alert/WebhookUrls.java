package dev.rgrid.core.internal.alert;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.spi.store.StoredWebhook;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The URLs alerts may be posted to: absolute {@code http} or {@code https} URLs with a host, no
 * user information, at most {@link StoredWebhook#MAX_URL_LENGTH} characters. A host in a private
 * or loopback range is allowed (a receiver on the administrator's own network is the usual case),
 * which is why only an administrator sets webhooks.
 */
public final class WebhookUrls {
  private WebhookUrls() {}

  /**
   * {@code url} as a URI when alerts may be posted to it.
   *
   * @throws InvalidRunSpecException saying what is wrong with it otherwise
   */
  public static URI check(String url) {
    if (url == null || url.isBlank()) {
      throw refused("an empty URL", "give an http:// or https:// URL");
    }
    if (url.length() > StoredWebhook.MAX_URL_LENGTH) {
      throw refused("a URL of " + url.length() + " characters", "give one of at most "
          + StoredWebhook.MAX_URL_LENGTH + " characters");
    }
    if (!url.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw refused(shown(url) + " (it holds spaces, control or non-ASCII characters)",
          "percent-encode them");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw refused(shown(url) + " (" + e.getReason() + ")", "give an http:// or https:// URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw refused(shown(url) + " (scheme " + (scheme.isEmpty() ? "missing" : scheme + ":")
          + ")", "only http:// and https:// URLs take alerts");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw refused(shown(url) + " (no host)", "give a URL like https://hooks.example.com/rgrid");
    }
    if (uri.getRawUserInfo() != null) {
      throw refused(shown(url) + " (it holds a user name or password)",
          "put no credentials in the URL: receivers check the signature header instead");
    }
    if (uri.getRawFragment() != null) {
      throw refused(shown(url) + " (it has a #fragment)", "remove the fragment");
    }
    return uri;
  }

  private static InvalidRunSpecException refused(String what, String hint) {
    return new InvalidRunSpecException("cannot post alerts to " + what, hint);
  }

  private static String shown(String url) {
    String cut = url.length() > 80 ? url.substring(0, 80) + "…" : url;
    return "'" + cut.replaceAll("[^\\x21-\\x7e…]", "?") + "'";
  }
}
