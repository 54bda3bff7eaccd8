package dev.rgrid.core.internal.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.PrivateFiles;
import dev.rgrid.core.SecretInfo;
import dev.rgrid.core.Secrets;
import dev.rgrid.core.internal.store.SqliteDatabase;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.StoredSecret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretVaultTest {
  private static final String ACCOUNT = "acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC";
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T10:00:00Z"),
      ZoneOffset.UTC);

  @TempDir Path dir;
  SqliteDatabase db;
  MetadataStore store;

  @BeforeEach
  void open() {
    db = SqliteDatabase.open(dir.resolve("home/rgrid.db"));
    store = db.metadataStore();
  }

  @AfterEach
  void close() {
    db.close();
  }

  private SecretVault vault(List<String> keys) {
    return new SecretVault(store, MasterKeys.of(keys, dir.resolve("home/secret.key"),
        new SecureRandom()), CLOCK, new SecureRandom());
  }

  private static String key(int seed) {
    byte[] k = new byte[32];
    k[0] = (byte) seed;
    return Base64.getEncoder().encodeToString(k);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void storesOnlyCiphertextAndGivesTheValueBackToTheRunOfItsScopeOnly() {
    SecretVault vault = vault(List.of());
    vault.secrets(ACCOUNT).set("API_TOKEN", utf8("tok-123"));
    StoredSecret stored = store.findSecret(ACCOUNT, "API_TOKEN").orElseThrow();
    assertThat(new String(stored.ciphertext(), StandardCharsets.ISO_8859_1))
        .doesNotContain("tok-123");
    assertThat(vault.resolve(ACCOUNT, Map.of("TOKEN", "API_TOKEN")))
        .containsExactly(Map.entry("TOKEN", "tok-123"));
    assertThat(vault.secrets(ACCOUNT).list())
        .containsExactly(new SecretInfo("API_TOKEN", CLOCK.instant()));
    assertThat(vault.secrets("").list()).isEmpty();
    assertThatThrownBy(() -> vault.check("", Map.of("T", "API_TOKEN")))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("no secret named "
            + "API_TOKEN");
    assertThatThrownBy(() -> vault.resolve("", Map.of("T", "API_TOKEN")))
        .isInstanceOf(InvalidRunSpecException.class);
  }

  @Test
  void makesTheKeyFilePrivateOnFirstUseAndKeepsUsingIt() throws Exception {
    vault(List.of()).secrets("").set("A", utf8("one"));
    Path file = dir.resolve("home/secret.key");
    if (PrivateFiles.posix(file)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
    }
    String before = Files.readString(file);
    assertThat(vault(List.of()).resolve("", Map.of("A", "A"))).containsEntry("A", "one");
    assertThat(Files.readString(file)).isEqualTo(before);
    assertThat(Files.list(dir.resolve("home")).map(p -> p.getFileName().toString()))
        .noneMatch(n -> n.endsWith(".tmp"));
  }

  @Test
  void aCiphertextMovedToAnotherNameOrAccountDoesNotDecrypt() {
    SecretVault vault = vault(List.of(key(1)));
    vault.secrets(ACCOUNT).set("A", utf8("value-a"));
    StoredSecret a = store.findSecret(ACCOUNT, "A").orElseThrow();
    store.putSecret(new StoredSecret("", "A", a.keyId(), a.nonce(), a.ciphertext(),
        a.updatedAt()));
    assertThatThrownBy(() -> vault.resolve("", Map.of("A", "A")))
        .isInstanceOf(RGridException.class).hasMessageContaining("does not decrypt")
        .hasMessageNotContaining("value-a");
  }

  @Test
  void aProcessWithoutTheKeySaysWhichKeyItLacks() {
    vault(List.of(key(1))).secrets("").set("A", utf8("x"));
    assertThatThrownBy(() -> vault(List.of(key(2))).resolve("", Map.of("A", "A")))
        .isInstanceOf(RGridException.class).hasMessageContaining("master key")
        .hasMessageContaining("which this process does not have");
    assertThatThrownBy(() -> vault(List.of("not base64!")))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("RGRID_SECRET_KEY")
        .hasMessageNotContaining("not base64!");
  }

  @Test
  void rotationReEncryptsEverySecretUnderANewKeyAndForgetsTheOldOne() throws Exception {
    SecretVault vault = vault(List.of());
    vault.secrets("").set("A", utf8("alpha"));
    vault.secrets(ACCOUNT).set("B", utf8("beta"));
    String oldKeyId = store.findSecret("", "A").orElseThrow().keyId();
    String oldFile = Files.readString(dir.resolve("home/secret.key"));
    String digestBefore = vault.digest("", Map.of("A", "A"));
    assertThat(vault.secrets("").rotateKey()).isEqualTo(2);
    assertThat(store.secretsNotUnder(oldKeyId, 10)).hasSize(2);
    assertThat(Files.readString(dir.resolve("home/secret.key"))).isNotEqualTo(oldFile)
        .doesNotContain(oldFile.strip()).hasLineCount(1);
    SecretVault fresh = vault(List.of());
    assertThat(fresh.resolve("", Map.of("A", "A"))).containsEntry("A", "alpha");
    assertThat(fresh.resolve(ACCOUNT, Map.of("B", "B"))).containsEntry("B", "beta");
    assertThat(fresh.digest("", Map.of("A", "A"))).isNotEqualTo(digestBefore);
    assertThatThrownBy(() -> vault.secrets(ACCOUNT).rotateKey())
        .isInstanceOf(RGridException.class);
  }

  @Test
  void rotationToAKeyFromTheEnvironmentReadsWithThePreviousOne() {
    vault(List.of(key(1))).secrets("").set("A", utf8("alpha"));
    SecretVault rotating = vault(List.of(key(2), key(1)));
    assertThat(rotating.rotate()).isEqualTo(1);
    assertThat(vault(List.of(key(2))).resolve("", Map.of("V", "A"))).containsEntry("V", "alpha");
  }

  @Test
  void theCacheDigestChangesWithTheValueAndHoldsNothingOfIt() {
    SecretVault vault = vault(List.of(key(1)));
    Secrets secrets = vault.secrets("");
    secrets.set("A", utf8("v1"));
    String first = vault.digest("", Map.of("X", "A"));
    assertThat(vault.digest("", Map.of("X", "A"))).isEqualTo(first);
    assertThat(vault.digest("", Map.of("Y", "A"))).isNotEqualTo(first);
    secrets.set("A", utf8("v2"));
    assertThat(vault.digest("", Map.of("X", "A"))).isNotEqualTo(first).hasSize(64);
    assertThat(vault.digest("", Map.of())).isNull();
  }

  @Test
  void refusesHostileNamesAndValuesNoEnvironmentCanHold() {
    Secrets secrets = vault(List.of(key(1))).secrets("");
    for (String name : List.of("", "9A", "A-B", "A B", "$(rm -rf /)", "A".repeat(129), "A\n")) {
      assertThatThrownBy(() -> secrets.set(name, utf8("x")))
          .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("not a secret name");
    }
    assertThatThrownBy(() -> secrets.set("A", new byte[Secrets.MAX_VALUE_BYTES + 1]))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("65536");
    assertThatThrownBy(() -> secrets.set("A", new byte[] {'a', 0, 'b'}))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("NUL");
    assertThatThrownBy(() -> secrets.set("A", new byte[] {(byte) 0xff}))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("UTF-8");
    byte[] big = new byte[Secrets.MAX_VALUE_BYTES];
    java.util.Arrays.fill(big, (byte) 'z');
    secrets.set("BIG", big);
    secrets.set("EMPTY", new byte[0]);
    assertThat(secrets.list()).extracting(SecretInfo::name).containsExactly("BIG", "EMPTY");
    assertThat(secrets.remove("EMPTY")).isTrue();
    assertThat(secrets.remove("EMPTY")).isFalse();
  }
}
