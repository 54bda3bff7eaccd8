package dev.rgrid.core.internal.cost;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Hourly prices of worker types, in micros. Immutable; changes return a new table.
 *
 * <p>The type {@value #LOCAL} (the machine RGrid runs on) is always present and costs 0 by default:
 * a local machine is already paid for, so charging for it would invent spending that no invoice
 * will ever show. Users who want to account for their own hardware or electricity set {@code
 * price.local} to whatever they think an hour is worth.
 */
public final class PriceTable {
  /** The worker type of the machine RGrid itself runs on. */
  public static final String LOCAL = "local";

  /** Default hourly price of {@value #LOCAL}, in micros: 0, see the class comment. */
  public static final long DEFAULT_LOCAL_PRICE = 0L;

  /** Prefix of the price keys in a {@link Properties} source: {@code price.<type>=<amount>}. */
  public static final String KEY_PREFIX = "price.";

  private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final String TYPE_HINT =
      "name worker types with 1 to 63 lower-case letters, digits, '.', '_' or '-',"
          + " starting with a letter or digit, e.g. c5-large";
  private static final int LISTED = 10;

  private final Map<String, Long> prices;

  private PriceTable(Map<String, Long> prices) {
    this.prices = Collections.unmodifiableMap(new TreeMap<>(prices));
  }

  /** A table with only {@value #LOCAL} at {@link #DEFAULT_LOCAL_PRICE}. */
  public static PriceTable defaults() {
    return new PriceTable(Map.of(LOCAL, DEFAULT_LOCAL_PRICE));
  }

  /**
   * The default table overlaid with every {@code price.<type>=<amount>} entry of {@code
   * properties}, e.g. {@code price.local=0.10} or {@code price.c5-large=0.085}. Keys that do not
   * start with {@value #KEY_PREFIX} belong to other settings and are ignored.
   *
   * @throws CostException naming the key when a type name or an amount is not valid
   */
  public static PriceTable fromProperties(Properties properties) {
    Map<String, Long> prices = new TreeMap<>(defaults().prices);
    Objects.requireNonNull(properties, "properties");
    // stringPropertyNames also sees defaults and skips non-String entries put in by code; sorting
    // makes the first error reported the same on every run.
    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
      if (!key.startsWith(KEY_PREFIX)) {
        continue;
      }
      String type = checkType(key.substring(KEY_PREFIX.length()));
      try {
        prices.put(type, Money.parse(properties.getProperty(key)));
      } catch (CostException e) {
        throw new CostException(
            "price " + Inputs.quote(key) + ": " + e.getMessage(), e.hint().orElse(null), e);
      }
    }
    return new PriceTable(prices);
  }

  /**
   * Validates a worker type name against {@code [a-z0-9][a-z0-9._-]{0,62}}.
   *
   * @return the name, unchanged
   * @throws CostException if the name is not valid
   */
  public static String checkType(String type) {
    if (type == null || !TYPE.matcher(type).matches()) {
      throw new CostException("not a valid worker type: " + Inputs.quote(type), TYPE_HINT);
    }
    return type;
  }

  /**
   * The hourly price of {@code type}.
   *
   * @throws CostException if the type is not valid or has no price, listing the known types
   */
  public long hourlyMicros(String type) {
    OptionalLong price = find(type);
    if (price.isEmpty()) {
      throw new CostException(
          "no price for worker type " + Inputs.quote(type) + "; known types: " + knownTypes(),
          "set price." + type + "=<euros per hour> in the price settings, e.g. price."
              + type + "=0.085");
    }
    return price.getAsLong();
  }

  /**
   * The hourly price of {@code type}, or empty when the table has none.
   *
   * @throws CostException if the type name is not valid
   */
  public OptionalLong find(String type) {
    Long price = prices.get(checkType(type));
    return price == null ? OptionalLong.empty() : OptionalLong.of(price);
  }

  /**
   * A copy of this table with {@code type} priced at {@code hourlyMicros}.
   *
   * @throws CostException if the type name is not valid
   * @throws IllegalArgumentException if the price is negative
   */
  public PriceTable with(String type, long hourlyMicros) {
    checkType(type);
    if (hourlyMicros < 0) {
      throw new IllegalArgumentException("hourly price must not be negative: " + hourlyMicros);
    }
    Map<String, Long> copy = new TreeMap<>(prices);
    copy.put(type, hourlyMicros);
    return new PriceTable(copy);
  }

  /** Every type and its hourly price in micros, sorted by type. */
  public Map<String, Long> asMap() {
    return prices;
  }

  private String knownTypes() {
    String listed = prices.keySet().stream().limit(LISTED).collect(Collectors.joining(", "));
    return prices.size() > LISTED ? listed + ", … (" + prices.size() + " in all)" : listed;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PriceTable other && prices.equals(other.prices);
  }

  @Override
  public int hashCode() {
    return prices.hashCode();
  }

  @Override
  public String toString() {
    return prices.entrySet().stream()
        .map(e -> e.getKey() + "=" + Money.format(e.getValue()) + "/h")
        .collect(Collectors.joining(", ", "PriceTable[", "]"));
  }
}
