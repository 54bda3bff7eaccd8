package dev.rgrid.spi.tck;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.store.SecretStore;
import dev.rgrid.spi.store.StoredSecret;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SecretStore} passes: ciphertext kept per scope and name, replaced
 * whole, listed by name, re-encrypted only while unchanged. Extend it and return a fresh, empty
 * store (see {@link MetadataStoreFixture}).
 */
public abstract class SecretStoreContract extends MetadataStoreFixture {
  private static final String ACCOUNT = "acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC";
  private static final String OTHER = "acct_01JD5Z8Q6W3M0T7R2YB4K9N1XD";

  private static StoredSecret secret(String scope, String name, String keyId, int nonce) {
    byte[] bytes = new byte[12];
    bytes[0] = (byte) nonce;
    byte[] ciphertext = new byte[70_000]; // more than a 64 KiB value with its tag
    ciphertext[69_999] = (byte) (nonce + 1);
    ciphertext[0] = (byte) 0xff;
    return new StoredSecret(scope, name, keyId, bytes, ciphertext, T0.plusSeconds(nonce));
  }

  @Test
  void keepsTheBytesOfASecretExactlyAndReplacesItWhole() {
    StoredSecret first = secret(ACCOUNT, "API_TOKEN", "a1", 1);
    store.putSecret(first);
    assertThat(store.findSecret(ACCOUNT, "API_TOKEN")).contains(first);
    StoredSecret second = secret(ACCOUNT, "API_TOKEN", "a1", 2);
    store.putSecret(second);
    assertThat(store.findSecret(ACCOUNT, "API_TOKEN")).contains(second);
    assertThat(store.secrets(ACCOUNT)).containsExactly(second);
  }

  @Test
  void keepsTheSecretsOfEachScopeApart() {
    store.putSecret(secret(ACCOUNT, "TOKEN", "a1", 1));
    store.putSecret(secret("", "TOKEN", "a1", 2));
    store.putSecret(secret(ACCOUNT, "B_OTHER", "a1", 3));
    assertThat(store.findSecret(OTHER, "TOKEN")).isEmpty();
    assertThat(store.secrets(OTHER)).isEmpty();
    assertThat(store.secrets(ACCOUNT)).extracting(StoredSecret::name)
        .containsExactly("B_OTHER", "TOKEN");
    assertThat(store.secrets("")).extracting(StoredSecret::nonce)
        .containsExactly(secret("", "TOKEN", "a1", 2).nonce());
    assertThat(store.removeSecret(OTHER, "TOKEN")).isFalse();
    assertThat(store.removeSecret(ACCOUNT, "TOKEN")).isTrue();
    assertThat(store.removeSecret(ACCOUNT, "TOKEN")).isFalse();
    assertThat(store.findSecret("", "TOKEN")).isPresent();
  }

  @Test
  void replacesASecretOnlyWhileNobodySetItMeanwhile() {
    StoredSecret old = secret(ACCOUNT, "TOKEN", "a1", 1);
    store.putSecret(old);
    StoredSecret rotated = secret(ACCOUNT, "TOKEN", "b2", 2);
    assertThat(store.replaceSecret(old, rotated)).isTrue();
    assertThat(store.findSecret(ACCOUNT, "TOKEN")).contains(rotated);
    StoredSecret late = secret(ACCOUNT, "TOKEN", "b2", 3);
    assertThat(store.replaceSecret(old, late)).isFalse();
    assertThat(store.findSecret(ACCOUNT, "TOKEN")).contains(rotated);
    assertThatThrownBy(() -> store.replaceSecret(rotated, secret(ACCOUNT, "OTHER", "b2", 4)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void findsWhatIsNotYetUnderANewKeyAPageAtATime() {
    store.putSecret(secret(ACCOUNT, "A", "0d", 1));
    store.putSecret(secret("", "B", "0d", 2));
    store.putSecret(secret(OTHER, "C", "fe", 3));
    List<StoredSecret> page = store.secretsNotUnder("fe", 1);
    assertThat(page).hasSize(1);
    assertThat(store.secretsNotUnder("fe", 10)).extracting(StoredSecret::name)
        .containsExactlyInAnyOrder("A", "B");
    assertThat(store.secretsNotUnder("0d", 10)).extracting(StoredSecret::name)
        .containsExactly("C");
  }

  @Test
  void refusesHostileNamesAndScopes() {
    for (String bad : List.of("", "1ABC", "A-B", "A B", "x'; DROP TABLE secrets; --",
        "A".repeat(129), "NAME\n", "ÄPFEL")) {
      assertThatThrownBy(() -> store.findSecret(ACCOUNT, bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secret name");
    }
    assertThat(store.findSecret(ACCOUNT, "_" + "A".repeat(127))).isEmpty();
    assertThatThrownBy(() -> store.secrets("acct_nope"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.secrets(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
