package dev.rgrid.core.internal.cache;

import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.InputFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The content keys of caching. Every part is written with its length before it, so no two
 * different specs can produce the same byte stream (no ambiguity between, say, the arguments
 * {@code ["a b"]} and {@code ["a", "b"]}).
 */
public final class CacheKeys {
  // Bump when what goes into a key changes, so that old entries are never reused wrongly.
  private static final String RESULT_VERSION = "rgrid-result-v1";
  private static final String ENV_VERSION = "rgrid-env-v1";

  private CacheKeys() {}

  /**
   * The result key of {@code spec} run on {@code runtimeIdentity} (see SPEC: the runtime and its
   * image, the script, the dependency set, each input's name and content, the arguments, the
   * non-secret environment; and the network policy, since a script that may reach the network
   * may see other data), and the account it runs for, if any; and {@code secrets}, the keyed
   * hash of its secrets' names and values ({@code null} when it has none), so that a changed
   * secret is a miss while no key holds anything a value could be recovered from.
   */
  static String result(ExecutionSpec spec, String runtimeIdentity, String secrets) {
    Hasher h = new Hasher().add(RESULT_VERSION).add(spec.runtime()).add(runtimeIdentity)
        .add(spec.scriptName()).add(spec.script().sha256());
    h.add(spec.requirements());
    files(h, spec.scriptFiles());
    files(h, spec.inputs());
    h.add(spec.args());
    Map<String, String> env = new TreeMap<>(spec.env());
    h.add(Integer.toString(env.size()));
    env.forEach((k, v) -> h.add(k).add(v));
    h.add(Boolean.toString(spec.network()));
    // Accounts never share results: another account's output may hold what only it may see.
    // Keys of executions without an account are unchanged by this.
    String account = spec.labels().get(dev.rgrid.spi.account.AccountId.LABEL);
    if (account != null) {
      h.add("account").add(account);
    }
    if (secrets != null) {
      h.add("secrets").add(secrets);
    }
    return h.hex();
  }

  /** The key of the environment with {@code requirements} on {@code runtimeIdentity}. */
  public static String environment(String runtime, String runtimeIdentity,
      List<String> requirements) {
    return new Hasher().add(ENV_VERSION).add(runtime).add(runtimeIdentity).add(requirements)
        .hex();
  }

  private static void files(Hasher h, List<InputFile> files) {
    List<InputFile> sorted = files.stream().sorted(Comparator.comparing(InputFile::path))
        .toList();
    h.add(Integer.toString(sorted.size()));
    sorted.forEach(f -> h.add(f.path()).add(f.blob().sha256()));
  }

  private static final class Hasher {
    private final MessageDigest digest;

    Hasher() {
      try {
        digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK has no SHA-256", e);
      }
    }

    Hasher add(String value) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
      digest.update(bytes);
      return this;
    }

    Hasher add(List<String> values) {
      add(Integer.toString(values.size()));
      values.forEach(this::add);
      return this;
    }

    String hex() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }
}
