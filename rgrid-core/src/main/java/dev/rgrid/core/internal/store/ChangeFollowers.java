package dev.rgrid.core.internal.store;

import dev.rgrid.spi.ExecutionId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The in-process followers of a store's changes, told after each write commits. */
final class ChangeFollowers {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFollowers.class);
  private final List<Consumer<ExecutionId>> followers = new CopyOnWriteArrayList<>();

  /** Adds one; the handle removes it. */
  AutoCloseable add(Consumer<ExecutionId> onChange) {
    followers.add(Objects.requireNonNull(onChange, "onChange"));
    return () -> followers.remove(onChange);
  }

  /** Tells every follower that {@code id} changed; a failing follower does not stop the rest. */
  void tell(ExecutionId id) {
    for (Consumer<ExecutionId> f : followers) {
      try {
        f.accept(id);
      } catch (RuntimeException e) {
        LOG.warn("a change follower failed", e);
      }
    }
  }
}
