package dev.rgrid.core.internal.store;

import dev.rgrid.spi.store.SecretStore;
import dev.rgrid.spi.store.StoredSecret;
import dev.rgrid.store.sql.NanoInstants;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Encrypted secrets: their rows in {@code secrets}, ciphertext only. */
final class SqliteSecrets implements SecretStore {
  private static final String COLUMNS = "scope, name, key_id, nonce, ciphertext, updated_at";

  private final SqliteView view;

  SqliteSecrets(SqliteView view) {
    this.view = view;
  }

  @Override
  public void putSecret(StoredSecret secret) {
    Objects.requireNonNull(secret, "secret");
    view.db().write("storing secret " + secret.name(), c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO secrets (" + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, name) DO UPDATE SET"
          + " key_id = excluded.key_id, nonce = excluded.nonce,"
          + " ciphertext = excluded.ciphertext, updated_at = excluded.updated_at")) {
        bind(ps, secret);
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Optional<StoredSecret> findSecret(String scope, String name) {
    StoredSecret.checkScope(scope);
    StoredSecret.checkName(name);
    return view.db().read("reading secret " + name, c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
          + " FROM secrets WHERE scope = ? AND name = ?")) {
        ps.setString(1, scope);
        ps.setString(2, name);
        List<StoredSecret> found = rows(ps);
        return found.stream().findFirst();
      }
    });
  }

  @Override
  public List<StoredSecret> secrets(String scope) {
    StoredSecret.checkScope(scope);
    return view.db().read("listing secrets", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
          + " FROM secrets WHERE scope = ? ORDER BY name")) {
        ps.setString(1, scope);
        return rows(ps);
      }
    });
  }

  @Override
  public List<StoredSecret> secretsNotUnder(String keyId, int limit) {
    Objects.requireNonNull(keyId, "keyId");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    return view.db().read("listing secrets to re-encrypt", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
          + " FROM secrets WHERE key_id <> ? ORDER BY scope, name LIMIT ?")) {
        ps.setString(1, keyId);
        ps.setInt(2, limit);
        return rows(ps);
      }
    });
  }

  @Override
  public boolean replaceSecret(StoredSecret current, StoredSecret replacement) {
    SecretStore.checkReplacement(current, replacement);
    return view.db().write("re-encrypting secret " + current.name(), c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE secrets SET key_id = ?, nonce = ?,"
          + " ciphertext = ?, updated_at = ? WHERE scope = ? AND name = ? AND nonce = ?")) {
        ps.setString(1, replacement.keyId());
        ps.setBytes(2, replacement.nonce());
        ps.setBytes(3, replacement.ciphertext());
        ps.setLong(4, NanoInstants.toColumn(replacement.updatedAt()));
        ps.setString(5, current.scope());
        ps.setString(6, current.name());
        ps.setBytes(7, current.nonce());
        return ps.executeUpdate() == 1;
      }
    });
  }

  @Override
  public boolean removeSecret(String scope, String name) {
    StoredSecret.checkScope(scope);
    StoredSecret.checkName(name);
    return view.db().write("removing secret " + name, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "DELETE FROM secrets WHERE scope = ? AND name = ?")) {
        ps.setString(1, scope);
        ps.setString(2, name);
        return ps.executeUpdate() == 1;
      }
    });
  }

  private static void bind(PreparedStatement ps, StoredSecret s) throws SQLException {
    ps.setString(1, s.scope());
    ps.setString(2, s.name());
    ps.setString(3, s.keyId());
    ps.setBytes(4, s.nonce());
    ps.setBytes(5, s.ciphertext());
    ps.setLong(6, NanoInstants.toColumn(s.updatedAt()));
  }

  private static List<StoredSecret> rows(PreparedStatement ps) throws SQLException {
    List<StoredSecret> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new StoredSecret(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getBytes(4), rs.getBytes(5), NanoInstants.read(rs, 6)));
      }
    }
    return out;
  }
}
