package dev.rgrid.core.internal.spec;

import dev.rgrid.core.InvalidRunSpecException;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placement constraints a run may give ({@code --constraint}), checked before anything is
 * stored: Docker Swarm's form {@code ATTRIBUTE==VALUE} or {@code ATTRIBUTE!=VALUE} over the node
 * attributes the swarm knows, written without spaces, few and short. Stricter than the engine on
 * purpose: a constraint travels through the store, the queue and the server into a service spec,
 * so what passes here is plain ASCII that no layer reads differently, and a typo in an attribute
 * fails at once instead of leaving the run pending on a swarm where no node can match it.
 */
final class Constraints {
  /** Most constraints one run may give. */
  static final int MAX_COUNT = 16;
  /** Longest constraint. */
  static final int MAX_LENGTH = 256;

  private static final String HINT = "write each as ATTRIBUTE==VALUE or ATTRIBUTE!=VALUE without "
      + "spaces, ATTRIBUTE one of node.id, node.hostname, node.role, node.platform.os, "
      + "node.platform.arch, node.labels.KEY, engine.labels.KEY (--constraint "
      + "node.labels.gpu==true)";
  private static final Pattern FORM = Pattern.compile(
      "([A-Za-z][A-Za-z0-9._-]*)(==|!=)([A-Za-z0-9][A-Za-z0-9._:/*+-]{0,127})");
  private static final Set<String> ATTRIBUTES = Set.of("node.id", "node.hostname", "node.role",
      "node.platform.os", "node.platform.arch");
  private static final Pattern LABEL = Pattern.compile(
      "(node|engine)\\.labels\\.[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private Constraints() {}

  /**
   * Checks {@code constraints}.
   *
   * @throws InvalidRunSpecException naming the constraint and what is wrong with it
   */
  static void check(List<String> constraints) {
    if (constraints.size() > MAX_COUNT) {
      throw new InvalidRunSpecException(constraints.size() + " placement constraints are more "
          + "than the maximum of " + MAX_COUNT, "give at most " + MAX_COUNT + " (--constraint)");
    }
    for (String c : constraints) {
      if (c == null || c.isBlank()) {
        throw new InvalidRunSpecException("a placement constraint is empty", HINT);
      }
      if (c.length() > MAX_LENGTH) {
        throw new InvalidRunSpecException("placement constraint '" + Texts.printable(c)
            + "' is " + c.length() + " characters long, more than the maximum of " + MAX_LENGTH,
            HINT);
      }
      Texts.checkShowable("placement constraint", c, HINT);
      Matcher m = FORM.matcher(c);
      if (!m.matches()) {
        throw new InvalidRunSpecException("placement constraint '" + Texts.printable(c)
            + "' is not ATTRIBUTE==VALUE or ATTRIBUTE!=VALUE (letters, digits and ._:/*+- only)",
            HINT);
      }
      String attribute = m.group(1);
      if (!ATTRIBUTES.contains(attribute) && !LABEL.matcher(attribute).matches()) {
        throw new InvalidRunSpecException("placement constraint '" + Texts.printable(c)
            + "' names no node attribute the swarm knows: " + attribute, HINT);
      }
      if (attribute.equals("node.role") && !Set.of("manager", "worker").contains(m.group(3))) {
        throw new InvalidRunSpecException("placement constraint '" + Texts.printable(c)
            + "' compares node.role with " + m.group(3) + ", which no node has",
            "a node's role is manager or worker (--constraint node.role==worker)");
      }
    }
  }
}
