package dev.rgrid.core;

import dev.rgrid.core.internal.spec.Texts;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The named runtimes scripts can run in, each mapped to an image (for runtimes that isolate) and an
 * interpreter (for the local process runtime). Immutable; {@link #defaults()} gives RGrid's own.
 */
public final class RuntimeCatalog {
  private final Map<String, RuntimeDefinition> runtimes;
  private final Map<String, String> aliases;
  private final String defaultName;

  /**
   * A catalog of {@code runtimes} (the first is the default) with {@code aliases} (alias → name).
   */
  public RuntimeCatalog(List<RuntimeDefinition> runtimes, Map<String, String> aliases) {
    if (runtimes.isEmpty()) {
      throw new IllegalArgumentException("a runtime catalog needs at least one runtime");
    }
    Map<String, RuntimeDefinition> byName = new LinkedHashMap<>();
    for (RuntimeDefinition r : runtimes) {
      if (byName.put(r.name(), r) != null) {
        throw new IllegalArgumentException("runtime " + r.name() + " is defined twice");
      }
    }
    for (Map.Entry<String, String> alias : aliases.entrySet()) {
      if (!byName.containsKey(alias.getValue())) {
        throw new IllegalArgumentException("alias " + alias.getKey() + " names unknown runtime "
            + alias.getValue());
      }
    }
    this.runtimes = Map.copyOf(byName);
    this.aliases = Map.copyOf(aliases);
    this.defaultName = runtimes.get(0).name();
    this.order = List.copyOf(byName.keySet());
  }

  private final List<String> order;

  /** RGrid's built-in catalog: python3.11 (the default), python3.12, node20 and bash. */
  public static RuntimeCatalog defaults() {
    return new RuntimeCatalog(List.of(
        new RuntimeDefinition("python3.11", "rgrid/python:3.11", List.of("python3", "-u"),
            List.of("python3.11", "python3"), ".py"),
        new RuntimeDefinition("python3.12", "rgrid/python:3.12", List.of("python3", "-u"),
            List.of("python3.12"), ".py"),
        new RuntimeDefinition("node20", "rgrid/node:20", List.of("node"),
            List.of("node20", "node"), ".js"),
        new RuntimeDefinition("bash", "rgrid/bash:5", List.of("bash"), List.of("bash"), ".sh")),
        Map.of("python", "python3.11", "python3", "python3.11", "node", "node20", "sh", "bash"));
  }

  /**
   * The runtime called {@code name} (or an alias of it).
   *
   * @throws InvalidRunSpecException naming the known runtimes when there is none
   */
  public RuntimeDefinition resolve(String name) {
    Objects.requireNonNull(name, "name");
    String key = name.trim().toLowerCase(java.util.Locale.ROOT);
    RuntimeDefinition r = runtimes.get(aliases.getOrDefault(key, key));
    if (r == null) {
      throw new InvalidRunSpecException("unknown runtime '" + Texts.printable(name)
          + "'; known runtimes: " + String.join(", ", order),
          "pick one of them with --runtime, or run `rgrid runtimes`");
    }
    return r;
  }

  /** The runtime for a script of this file name: by suffix, else the default. */
  public RuntimeDefinition forScript(String fileName) {
    for (String name : order) {
      RuntimeDefinition r = runtimes.get(name);
      if (!r.scriptSuffix().isEmpty() && fileName.endsWith(r.scriptSuffix())) {
        return r;
      }
    }
    return runtimes.get(defaultName);
  }

  /** The default runtime. */
  public RuntimeDefinition defaultRuntime() {
    return runtimes.get(defaultName);
  }

  /** Every runtime, in catalog order. */
  public List<RuntimeDefinition> all() {
    List<RuntimeDefinition> out = new ArrayList<>();
    order.forEach(n -> out.add(runtimes.get(n)));
    return out;
  }

  /** The aliases (alias → runtime name). */
  public Map<String, String> aliases() {
    return aliases;
  }
}
