package dev.rgrid.core.internal.runtime;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerRuntimeProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Picks the container runtime of an embedded RGrid: {@code auto} takes the preferred discovered
 * engine that answers (Docker) and otherwise the local process runtime, saying why; a name forces
 * that runtime and fails when it is not available.
 */
public final class RuntimeSelector {
  /** The runtime chosen, and a one-line notice for the user when it was a fallback. */
  public record Selection(ContainerRuntime runtime, String notice) {}

  private final List<ContainerRuntimeProvider> providers;

  /** With the providers found by {@link ServiceLoader} on the class path. */
  public RuntimeSelector() {
    this(discover());
  }

  RuntimeSelector(List<ContainerRuntimeProvider> providers) {
    this.providers = providers.stream()
        .sorted(Comparator.comparingInt(ContainerRuntimeProvider::priority).reversed()).toList();
  }

  private static List<ContainerRuntimeProvider> discover() {
    List<ContainerRuntimeProvider> found = new ArrayList<>();
    ServiceLoader<ContainerRuntimeProvider> loader =
        ServiceLoader.load(ContainerRuntimeProvider.class);
    for (var it = loader.stream().iterator(); it.hasNext(); ) {
      var provider = it.next();
      try {
        found.add(provider.get());
      } catch (ServiceConfigurationError e) {
        throw new RGridException("cannot load the container runtime " + provider.type().getName()
            + ": " + e.getMessage(), "check the class path of this RGrid installation", null, e);
      }
    }
    return found;
  }

  /**
   * Selects by name: {@code auto}, {@code process}, or a provider's name.
   *
   * @throws InvalidRunSpecException for an unknown name
   * @throws dev.rgrid.spi.BackendUnavailableException when a named engine does not answer
   */
  public Selection select(String name) {
    String wanted = name == null || name.isBlank() ? "auto" : name.trim().toLowerCase(Locale.ROOT);
    if (wanted.equals("process")) {
      return new Selection(new ProcessRuntime(), null);
    }
    if (wanted.equals("auto")) {
      List<String> reasons = new ArrayList<>();
      for (ContainerRuntimeProvider p : providers) {
        try {
          return new Selection(p.create(), null);
        } catch (RGridException e) {
          reasons.add(p.name() + ": " + e.getMessage());
        }
      }
      if (reasons.isEmpty()) {
        return new Selection(new ProcessRuntime(), null); // nothing to fall back from
      }
      return new Selection(new ProcessRuntime(), "no container engine answered ("
          + String.join("; ", reasons)
          + "); scripts run as local processes, NOT isolated from this machine");
    }
    for (ContainerRuntimeProvider p : providers) {
      if (p.name().equals(wanted)) {
        return new Selection(p.create(), null);
      }
    }
    List<String> known = new ArrayList<>(List.of("auto", "process"));
    providers.forEach(p -> known.add(p.name()));
    throw new InvalidRunSpecException("unknown container runtime '" + name + "'; known: "
        + String.join(", ", known), "set RGRID_RUNTIME (or --engine) to one of them");
  }
}
