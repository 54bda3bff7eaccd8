package dev.rgrid.spi.account;

import dev.rgrid.spi.ExecutionId;
import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Identifies one account: {@code acct_} followed by 26 characters of Crockford base32 (time
 * ordered, as {@link ExecutionId}).
 *
 * @param value the full id, e.g. {@code acct_01JD5Z8Q6W3M0T7R2YB4K9N1XC}
 */
public record AccountId(String value) implements Comparable<AccountId> {
  /**
   * The label every execution submitted on behalf of an account carries, naming the account. It
   * is reserved: users cannot set labels starting with {@code rgrid.}.
   */
  public static final String LABEL = "rgrid.account";

  private static final Pattern FORMAT = Pattern.compile("acct_[0-9A-HJKMNP-TV-Z]{26}");

  /** Validates the format, so that an id read from a user can go straight into a query. */
  public AccountId {
    Objects.requireNonNull(value, "value");
    if (!FORMAT.matcher(value).matches()) {
      String shown = value.length() > 60 ? value.substring(0, 60) + "…" : value;
      throw new IllegalArgumentException(
          "not an account id: '" + shown + "' (expected acct_ and 26 characters)");
    }
  }

  /** Parses a user-supplied id, or throws {@link IllegalArgumentException} saying why not. */
  public static AccountId of(String value) {
    return new AccountId(value == null ? "" : value.trim());
  }

  /** Whether {@code value} is an account id. */
  public static boolean isAccountId(String value) {
    return value != null && FORMAT.matcher(value.trim()).matches();
  }

  /** Makes a new id for an account created at {@code now}. */
  public static AccountId generate(Instant now, RandomGenerator random) {
    return new AccountId("acct_" + ExecutionId.generate(now, random).value().substring(5));
  }

  @Override
  public int compareTo(AccountId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
