package dev.rgrid.core.internal.batch;

import dev.rgrid.core.internal.batch.OutputFolders.FlatClash;
import dev.rgrid.core.internal.batch.OutputFolders.Writer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Finds the output paths that {@code --flat} would make different inputs overwrite. */
final class FlatCheck {
  private FlatCheck() {}

  /** Who uses one path (compared ignoring case), as a file and as a directory. */
  private static final class Use {
    final TreeMap<String, String> files = new TreeMap<>();
    final TreeMap<String, String> directories = new TreeMap<>();
  }

  static List<FlatClash> clashes(Map<String, ? extends Collection<String>> outputsByInput) {
    Map<String, Use> uses = new HashMap<>();
    for (Map.Entry<String, ? extends Collection<String>> entry : outputsByInput.entrySet()) {
      String input = entry.getKey();
      for (String path : entry.getValue()) {
        uses.computeIfAbsent(FolderNames.key(path), k -> new Use()).files.putIfAbsent(input,
            path);
        // Every parent is a directory this input needs; another input's file there would clash.
        for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
          String parent = path.substring(0, slash);
          uses.computeIfAbsent(FolderNames.key(parent), k -> new Use()).directories
              .putIfAbsent(input, parent);
        }
      }
    }
    TreeMap<String, FlatClash> clashes = new TreeMap<>();
    for (Use use : uses.values()) {
      boolean twoFiles = use.files.size() > 1;
      boolean fileAndDirectory = !use.files.isEmpty() && use.directories.keySet().stream()
          .anyMatch(input -> !use.files.containsKey(input));
      if (!twoFiles && !fileAndDirectory) {
        continue; // one writer, or directories shared by several inputs: merging them is fine
      }
      List<Writer> writers = new ArrayList<>();
      use.files.forEach((input, path) -> writers.add(new Writer(input, path, false)));
      if (fileAndDirectory) {
        use.directories.forEach((input, path) -> {
          if (!use.files.containsKey(input)) {
            writers.add(new Writer(input, path, true));
          }
        });
      }
      String shown = use.files.firstEntry().getValue();
      clashes.put(shown, new FlatClash(shown, writers));
    }
    return List.copyOf(clashes.values());
  }
}
