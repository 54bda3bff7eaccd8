package dev.rgrid.core.internal.deps;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a Python source imports, as found by {@link ImportScanner}.
 *
 * @param modules absolute imports as dotted names: the module of each {@code import a.b.c}, and
 *     for {@code from a.b import c, d} the names {@code a.b.c} and {@code a.b.d} (an imported name
 *     may be a submodule, which matters for mapping {@code google.cloud.storage} to its package);
 *     {@code from a import *} gives {@code a}; {@code __future__} is left out
 * @param relative the first name after the dots of relative imports: {@code mod} for {@code from
 *     .mod import y}, and {@code x} for {@code from . import x}; always local code
 */
public record Imports(SortedSet<String> modules, SortedSet<String> relative) {

  /** Copies the sets, unmodifiable. */
  public Imports {
    modules = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(modules)));
    relative = Collections.unmodifiableSortedSet(new TreeSet<>(Objects.requireNonNull(relative)));
  }

  /** The top-level names of {@link #modules()}, e.g. {@code google} for {@code google.cloud}. */
  public SortedSet<String> topLevel() {
    TreeSet<String> names = new TreeSet<>();
    for (String module : modules) {
      names.add(topLevelOf(module));
    }
    return Collections.unmodifiableSortedSet(names);
  }

  /** The part of a dotted name before the first dot. */
  static String topLevelOf(String module) {
    int dot = module.indexOf('.');
    return dot < 0 ? module : module.substring(0, dot);
  }
}
