package dev.rgrid.core.internal.secret;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.SecretInfo;
import dev.rgrid.core.Secrets;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.SecretStore;
import dev.rgrid.spi.store.StoredSecret;
import dev.rgrid.spi.store.StoredWebhook;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's secrets: encrypted with {@link SecretCipher} under the {@link MasterKeys}, kept in
 * the {@link SecretStore}, per scope ({@code ""}: the installation's own; an account id). It
 * checks a run's references at submission, gives the cache a keyed hash of the values, and
 * decrypts them for the worker just before the container starts. No message of it ever holds a
 * value.
 */
public final class SecretVault {
  private static final int ROTATION_PAGE = 100;

  private final MetadataStore store;
  private final MasterKeys keys;
  private final Clock clock;
  private final SecretCipher cipher;

  /**
   * Secrets (and the signing secrets of webhooks) in {@code store} under {@code keys}, times from
   * {@code clock}.
   */
  public SecretVault(MetadataStore store, MasterKeys keys, Clock clock, SecureRandom random) {
    this.store = store;
    this.keys = keys;
    this.clock = clock;
    this.cipher = new SecretCipher(random);
  }

  /** The scope of a run's secrets: its account's, else the installation's. */
  public static String scopeOf(ExecutionSpec spec) {
    String account = spec.labels().get(AccountId.LABEL);
    return account == null ? LimitSetting.GLOBAL : account;
  }

  /** The {@link Secrets} of {@code scope}. */
  public Secrets secrets(String scope) {
    StoredSecret.checkScope(scope);
    return new Secrets() {
      @Override
      public void set(String name, byte[] value) {
        SecretVault.this.set(scope, name, value);
      }

      @Override
      public List<SecretInfo> list() {
        return store.secrets(scope).stream()
            .map(s -> new SecretInfo(s.name(), s.updatedAt())).toList();
      }

      @Override
      public boolean remove(String name) {
        return store.removeSecret(scope, checkName(name));
      }

      @Override
      public int rotateKey() {
        if (!scope.isEmpty()) {
          throw new RGridException("the master key is the installation's, not an account's",
              "run `rgrid secret rotate-key` on the server's host, with its state");
        }
        return rotate();
      }
    };
  }

  private void set(String scope, String name, byte[] value) {
    checkName(name);
    checkValue(name, value);
    store.putSecret(cipher.encrypt(scope, name, value, keys.current(), clock.instant()));
  }

  /**
   * Checks that every secret a run refers to ({@code refs}: environment variable to secret
   * name) exists in {@code scope}, before anything of the run is stored.
   *
   * @throws InvalidRunSpecException naming the unknown ones
   */
  public void check(String scope, Map<String, String> refs) {
    List<String> missing = refs.values().stream().distinct()
        .filter(n -> store.findSecret(scope, n).isEmpty()).sorted().toList();
    if (!missing.isEmpty()) {
      throw new InvalidRunSpecException("no secret named " + String.join(", ", missing)
          + (scope.isEmpty() ? "" : " in this account"),
          "set it first with `rgrid secret set NAME` (list them with `rgrid secret ls`)");
    }
  }

  /**
   * The values of a run's secrets by environment variable, decrypted.
   *
   * @throws InvalidRunSpecException when one no longer exists or cannot be decrypted here
   */
  public Map<String, String> resolve(String scope, Map<String, String> refs) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, String> ref : new TreeMap<>(refs).entrySet()) {
      values.put(ref.getKey(), decode(ref.getValue(), decrypt(scope, ref.getValue())));
    }
    return values;
  }

  /**
   * A keyed hash (HMAC-SHA256 under a key derived from the current master key) of a run's
   * secret references and their values, for its cache key: a changed value is a miss, and the
   * hash does not give the value away. {@code null} when the run has none.
   */
  public String digest(String scope, Map<String, String> refs) {
    if (refs.isEmpty()) {
      return null;
    }
    CacheDigest digest = new CacheDigest(keys.current());
    for (Map.Entry<String, String> ref : new TreeMap<>(refs).entrySet()) {
      byte[] value = decrypt(scope, ref.getValue());
      try {
        digest.add(ref.getKey()).add(ref.getValue()).add(value);
      } finally {
        Arrays.fill(value, (byte) 0);
      }
    }
    return digest.hex();
  }

  /** {@code secret}, the signing secret of {@code scope}'s webhook to {@code url}, encrypted. */
  public StoredWebhook sealWebhook(String scope, String url, byte[] secret) {
    return cipher.encryptWebhook(scope, url, secret, keys.current(), clock.instant());
  }

  /**
   * The signing secret of {@code webhook}.
   *
   * @throws RGridException when this process lacks its master key or it does not decrypt
   */
  public byte[] webhookSecret(StoredWebhook webhook) {
    String whose = webhook.scope().isEmpty() ? "the installation's webhook"
        : "the webhook of account " + webhook.scope();
    MasterKey key = keys.byId(webhook.keyId()).orElseThrow(() -> new RGridException("the "
        + "signing secret of " + whose + " is encrypted under master key " + webhook.keyId()
        + ", which this process does not have", "give every process of this installation the "
        + "same key (RGRID_SECRET_KEY, or the same secret.key file)"));
    try {
      return cipher.decrypt(webhook, key);
    } catch (GeneralSecurityException e) {
      throw new RGridException("the signing secret of " + whose + " does not decrypt under "
          + "master key " + webhook.keyId() + " (its stored bytes were changed)",
          "set the webhook again with `rgrid admin webhook set`");
    }
  }

  /**
   * Re-encrypts every secret, and every webhook's signing secret, not under the current key; see
   * {@link Secrets#rotateKey()}. Only secrets are counted.
   */
  public int rotate() {
    MasterKey next = keys.rotate();
    for (StoredWebhook old : store.webhooks()) {
      if (!old.keyId().equals(next.id())) {
        byte[] secret = webhookSecret(old);
        try {
          // Set meanwhile: then under the new key already.
          store.replaceWebhook(old, cipher.encryptWebhook(old.scope(), old.url(), secret, next,
              old.createdAt()));
        } finally {
          Arrays.fill(secret, (byte) 0);
        }
      }
    }
    int count = 0;
    int idle = 0;
    List<StoredSecret> page;
    while (!(page = store.secretsNotUnder(next.id(), ROTATION_PAGE)).isEmpty()) {
      if (idle++ > 3) {
        throw new RGridException("the key rotation made no progress: " + page.size()
            + " secrets keep being set under an old master key",
            "stop the processes that still use the old key, then rotate again");
      }
      for (StoredSecret old : page) {
        byte[] value = decrypt(old);
        try {
          // Set meanwhile (under the new key, or by a process holding an old one): next page.
          if (store.replaceSecret(old, cipher.encrypt(old.scope(), old.name(), value, next,
              old.updatedAt()))) {
            count++;
            idle = 0;
          }
        } finally {
          Arrays.fill(value, (byte) 0);
        }
      }
    }
    keys.forgetAllBut(next);
    return count;
  }

  private byte[] decrypt(String scope, String name) {
    StoredSecret secret = store.findSecret(scope, name).orElseThrow(() ->
        new InvalidRunSpecException("secret " + name + " no longer exists"
            + (scope.isEmpty() ? "" : " in this account"),
            "set it again with `rgrid secret set " + name + "`, then retry the run"));
    return decrypt(secret);
  }

  private byte[] decrypt(StoredSecret secret) {
    MasterKey key = keys.byId(secret.keyId()).orElseThrow(() -> new RGridException("secret "
        + secret.name() + " is encrypted under master key " + secret.keyId()
        + ", which this process does not have",
        "give every process of this installation the same key (RGRID_SECRET_KEY, or the same "
        + "secret.key file); during a rotation set the old one in RGRID_SECRET_KEY_PREVIOUS"));
    try {
      return cipher.decrypt(secret, key);
    } catch (GeneralSecurityException e) {
      throw new RGridException("secret " + secret.name() + " does not decrypt under master key "
          + secret.keyId() + " (its stored bytes were changed)",
          "set it again with `rgrid secret set " + secret.name() + "`");
    }
  }

  private static String checkName(String name) {
    try {
      return StoredSecret.checkName(name);
    } catch (IllegalArgumentException e) {
      throw new InvalidRunSpecException(e.getMessage(), "name secrets like environment variables");
    }
  }

  private static void checkValue(String name, byte[] value) {
    if (value.length > Secrets.MAX_VALUE_BYTES) {
      throw new InvalidRunSpecException("the value of secret " + name + " has " + value.length
          + " bytes, more than " + Secrets.MAX_VALUE_BYTES,
          "store a larger secret as a file input, or keep a key to it as the secret");
    }
    for (byte b : value) {
      if (b == 0) {
        throw new InvalidRunSpecException("the value of secret " + name + " contains a NUL byte,"
            + " which no environment variable can hold", "store it base64-encoded");
      }
    }
    decode(name, value.clone());
  }

  /** The value as text; the bytes are wiped. */
  private static String decode(String name, byte[] value) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidRunSpecException("the value of secret " + name + " is not UTF-8 text",
          "store it base64-encoded");
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }
}
