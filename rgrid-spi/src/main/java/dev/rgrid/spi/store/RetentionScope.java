package dev.rgrid.spi.store;

import dev.rgrid.spi.account.AccountId;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which ended executions a retention pass looks at ({@link RetentionStore#endedBefore}): those of
 * one account (labelled {@link AccountId#LABEL} with its id), or all but those of some accounts
 * (an account that keeps its executions for a time of its own is collected by a pass of its own).
 *
 * @param account only this account's executions, or empty for every execution
 * @param except with no {@code account}: leave out these accounts' executions
 */
public record RetentionScope(Optional<AccountId> account, Set<AccountId> except) {
  /** Every ended execution. */
  public static final RetentionScope ALL = new RetentionScope(Optional.empty(), Set.of());

  /** Checks the values and copies the set. */
  public RetentionScope {
    Objects.requireNonNull(account, "account");
    except = Set.copyOf(except);
    if (account.isPresent() && !except.isEmpty()) {
      throw new IllegalArgumentException("a scope of one account leaves out no other");
    }
  }

  /** The executions of {@code account} only. */
  public static RetentionScope of(AccountId account) {
    return new RetentionScope(Optional.of(account), Set.of());
  }

  /** Every execution but those of {@code accounts}. */
  public static RetentionScope allBut(Set<AccountId> accounts) {
    return new RetentionScope(Optional.empty(), accounts);
  }
}
