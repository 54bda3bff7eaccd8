package dev.rgrid.backend.postgres.internal;

import dev.rgrid.spi.store.SecretStore;
import dev.rgrid.spi.store.StoredSecret;
import dev.rgrid.store.sql.NanoInstants;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** Encrypted secrets: rows of {@code secrets}, ciphertext only. */
final class PgSecrets implements SecretStore {
  private static final String COLUMNS = "scope, name, key_id, nonce, ciphertext, updated_at";

  private final Jdbi jdbi;
  private final PgErrors errors;

  PgSecrets(Jdbi jdbi, PgErrors errors) {
    this.jdbi = jdbi;
    this.errors = errors;
  }

  @Override
  public void putSecret(StoredSecret secret) {
    Objects.requireNonNull(secret, "secret");
    errors.run("storing secret " + secret.name(), () -> jdbi.useHandle(h ->
        h.createUpdate("INSERT INTO secrets (" + COLUMNS + ") VALUES (:scope, :name, :keyId,"
                + " :nonce, :ciphertext, :at) ON CONFLICT (scope, name) DO UPDATE SET"
                + " key_id = EXCLUDED.key_id, nonce = EXCLUDED.nonce,"
                + " ciphertext = EXCLUDED.ciphertext, updated_at = EXCLUDED.updated_at")
            .bind("scope", secret.scope())
            .bind("name", secret.name())
            .bind("keyId", secret.keyId())
            .bind("nonce", secret.nonce())
            .bind("ciphertext", secret.ciphertext())
            .bind("at", NanoInstants.toColumn(secret.updatedAt()))
            .execute()));
  }

  @Override
  public Optional<StoredSecret> findSecret(String scope, String name) {
    StoredSecret.checkScope(scope);
    StoredSecret.checkName(name);
    return errors.call("reading secret " + name, () -> jdbi.withHandle(h ->
        h.createQuery("SELECT " + COLUMNS + " FROM secrets WHERE scope = :scope AND name = :name")
            .bind("scope", scope)
            .bind("name", name)
            .map(PgSecrets::row)
            .findOne()));
  }

  @Override
  public List<StoredSecret> secrets(String scope) {
    StoredSecret.checkScope(scope);
    return errors.call("listing secrets", () -> jdbi.withHandle(h ->
        h.createQuery("SELECT " + COLUMNS + " FROM secrets WHERE scope = :scope ORDER BY name")
            .bind("scope", scope)
            .map(PgSecrets::row)
            .list()));
  }

  @Override
  public List<StoredSecret> secretsNotUnder(String keyId, int limit) {
    Objects.requireNonNull(keyId, "keyId");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    return errors.call("listing secrets to re-encrypt", () -> jdbi.withHandle(h ->
        h.createQuery("SELECT " + COLUMNS + " FROM secrets WHERE key_id <> :keyId"
                + " ORDER BY scope, name LIMIT :limit")
            .bind("keyId", keyId)
            .bind("limit", limit)
            .map(PgSecrets::row)
            .list()));
  }

  @Override
  public boolean replaceSecret(StoredSecret current, StoredSecret replacement) {
    SecretStore.checkReplacement(current, replacement);
    return errors.call("re-encrypting secret " + current.name(), () -> jdbi.withHandle(h ->
        h.createUpdate("UPDATE secrets SET key_id = :keyId, nonce = :nonce,"
                + " ciphertext = :ciphertext, updated_at = :at"
                + " WHERE scope = :scope AND name = :name AND nonce = :expected")
            .bind("keyId", replacement.keyId())
            .bind("nonce", replacement.nonce())
            .bind("ciphertext", replacement.ciphertext())
            .bind("at", NanoInstants.toColumn(replacement.updatedAt()))
            .bind("scope", current.scope())
            .bind("name", current.name())
            .bind("expected", current.nonce())
            .execute() == 1));
  }

  @Override
  public boolean removeSecret(String scope, String name) {
    StoredSecret.checkScope(scope);
    StoredSecret.checkName(name);
    return errors.call("removing secret " + name, () -> jdbi.withHandle(h ->
        h.createUpdate("DELETE FROM secrets WHERE scope = :scope AND name = :name")
            .bind("scope", scope)
            .bind("name", name)
            .execute() == 1));
  }

  private static StoredSecret row(ResultSet rs, StatementContext ctx) throws SQLException {
    return new StoredSecret(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBytes(4),
        rs.getBytes(5), NanoInstants.read(rs, 6));
  }
}
