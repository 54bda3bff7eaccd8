package dev.rgrid.core.internal.batch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the folder each input of a batch gets under {@code <output-dir>/<name>/}, and checks
 * that {@code --flat} (every output in one folder) would not overwrite anything.
 *
 * <p>A folder is named after the input's file name ({@code data.csv}). Inputs whose names would
 * be the same folder, also on a case-insensitive file system ({@code Data.csv}, {@code data.csv}),
 * take in their parent directories, nearest first, joined with {@code _}, until they differ:
 * {@code a/data.csv} and {@code b/data.csv} become {@code a_data.csv} and {@code b_data.csv}, while
 * an unrelated {@code other.csv} keeps its plain name. Only names that still coincide after that
 * fall back to a number before the extension ({@code data-2.csv}): paths that differ only in case,
 * the same path given twice, or {@code a/data.csv} beside a file named {@code a_data.csv}. Every
 * name is made safe by {@link #sanitize(String)}. The result depends only on the set of paths, not
 * on their order, so the same batch always lands in the same folders.
 */
public final class OutputFolders {
  private OutputFolders() {}

  /**
   * The folder name of each input, in the order of {@code inputs}, derived from the inputs' paths
   * relative to {@code baseDir} (so a file at the top keeps its plain name, and the base
   * directory's own name never shows). Inputs outside {@code baseDir} use their absolute path.
   *
   * @param baseDir the directory the batch's patterns were expanded in
   * @param inputs the batch's files, as {@link Globs#expand} returns them
   * @return distinct names (also when compared ignoring case), one per input
   */
  public static List<String> assign(Path baseDir, List<Path> inputs) {
    Path base = baseDir.toAbsolutePath().normalize();
    List<Path> relative = new ArrayList<>(inputs.size());
    for (Path input : inputs) {
      Path absolute = input.toAbsolutePath().normalize();
      relative.add(absolute.startsWith(base) ? base.relativize(absolute) : absolute);
    }
    return assign(relative);
  }

  /**
   * The folder name of each input, in the order of {@code inputs}, derived from the paths as
   * given.
   *
   * @param inputs the batch's files, usually relative; {@code .}, {@code ..} and the root are
   *     ignored when names are derived from parent directories
   * @return distinct names (also when compared ignoring case), one per input
   */
  public static List<String> assign(List<Path> inputs) {
    int n = inputs.size();
    String[][] parts = new String[n][];
    String[][] keys = new String[n][];
    String[] whole = new String[n];
    int deepest = 0;
    for (int i = 0; i < n; i++) {
      parts[i] = components(inputs.get(i));
      keys[i] = new String[parts[i].length];
      for (int c = 0; c < parts[i].length; c++) {
        keys[i][c] = FolderNames.key(FolderNames.sanitize(parts[i][c]));
      }
      whole[i] = suffix(keys[i], keys[i].length);
      deepest = Math.max(deepest, parts[i].length);
    }
    // An input takes in one more parent directory while its name so far is shared with an input
    // that has another path. Inputs whose paths are the same ignoring case never tell apart by
    // going up, so they do not climb to the root: the numbering below separates them.
    int[] level = new int[n];
    for (int k = 1, open = n; k <= deepest && open > 0; k++) {
      Map<String, String> firstPath = new HashMap<>();
      Set<String> shared = new HashSet<>();
      for (int i = 0; i < n; i++) {
        if (keys[i].length >= k) {
          String key = suffix(keys[i], k);
          String first = firstPath.putIfAbsent(key, whole[i]);
          if (first != null && !first.equals(whole[i])) {
            shared.add(key);
          }
        }
      }
      for (int i = 0; i < n; i++) {
        if (level[i] == 0
            && (keys[i].length <= k || !shared.contains(suffix(keys[i], k)))) {
          level[i] = k;
          open--;
        }
      }
    }
    String[] names = new String[n];
    for (int i = 0; i < n; i++) {
      names[i] = FolderNames.sanitize(String.join("_",
          List.of(parts[i]).subList(parts[i].length - level[i], parts[i].length)));
    }
    number(inputs, names, level);
    return List.of(names);
  }

  /**
   * One safe folder name made from {@code raw}: NFC-normalised; {@code /}, {@code \}, control and
   * format characters and {@code <>:"|?*} replaced by {@code _}; leading dots and dashes replaced
   * by {@code _} (so never {@code .}, {@code ..}, hidden or option-like); trailing dots and spaces
   * dropped; Windows device names such as {@code CON.csv} prefixed with {@code _}; at most 100
   * UTF-8 bytes, shortened before the extension with a short hash of the whole name so long names
   * stay distinct ({@code very-long…~1a2b3c4d.csv}). Never empty.
   */
  public static String sanitize(String raw) {
    return FolderNames.sanitize(raw);
  }

  /**
   * Which output paths would overwrite each other if every input's outputs went to one folder
   * ({@code --flat}): the same path from two inputs, paths that differ only in case (one file on
   * macOS and Windows), and a file of one input where another input needs a directory
   * ({@code out} and {@code out/plot.png}). Outputs of one input never clash with each other.
   *
   * @param outputsByInput each input (as shown to the user) with its outputs' relative,
   *     {@code /}-separated paths
   * @return every clash, sorted by path; empty when {@code --flat} is safe
   */
  public static List<FlatClash> flatClashes(
      Map<String, ? extends Collection<String>> outputsByInput) {
    return FlatCheck.clashes(outputsByInput);
  }

  /**
   * Throws if {@link #flatClashes} finds anything.
   *
   * @throws FlatClashException listing every clash, input and path
   */
  public static void requireNoFlatClashes(
      Map<String, ? extends Collection<String>> outputsByInput) {
    List<FlatClash> clashes = flatClashes(outputsByInput);
    if (!clashes.isEmpty()) {
      throw new FlatClashException(clashes);
    }
  }

  /**
   * Output paths of different inputs that would land on the same place with {@code --flat}.
   *
   * @param path the clashing path (as the first input, in name order, spells it)
   * @param writers the inputs involved, each with its own spelling of the path
   */
  public record FlatClash(String path, List<Writer> writers) {
    /** Copies the list. */
    public FlatClash {
      writers = List.copyOf(writers);
    }
  }

  /**
   * One input's part in a {@link FlatClash}.
   *
   * @param input the input, as given to {@link #flatClashes}
   * @param path its output path at the clash (for a directory, the directory's path)
   * @param directory whether the input needs {@code path} as a directory rather than a file
   */
  public record Writer(String input, String path, boolean directory) {}

  private static String[] components(Path path) {
    List<String> names = new ArrayList<>();
    for (Path part : path) {
      String s = part.toString();
      if (!s.isEmpty() && !s.equals(".") && !s.equals("..")) {
        names.add(s);
      }
    }
    return names.isEmpty() ? new String[] {"_"} : names.toArray(new String[0]);
  }

  /** The last {@code level} component keys, joined with {@code /} (which no key contains). */
  private static String suffix(String[] keys, int level) {
    return String.join("/", List.of(keys).subList(keys.length - level, keys.length));
  }

  private static List<List<Integer>> collisions(String[] names) {
    Map<String, List<Integer>> byKey = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      byKey.computeIfAbsent(FolderNames.key(names[i]), k -> new ArrayList<>(1)).add(i);
    }
    List<List<Integer>> groups = new ArrayList<>();
    for (List<Integer> group : byKey.values()) {
      if (group.size() > 1) {
        groups.add(group);
      }
    }
    return groups;
  }

  /**
   * The last resort: in each group still colliding, the input with the shortest derivation (then
   * the first path in code point order) keeps the name and the others get {@code -2}, {@code -3}…
   * before the extension, skipping numbers another input already uses.
   */
  private static void number(List<Path> inputs, String[] names, int[] level) {
    Set<String> taken = new HashSet<>();
    for (String name : names) {
      taken.add(FolderNames.key(name));
    }
    List<List<Integer>> groups = collisions(names);
    groups.sort(Comparator.comparing(g -> FolderNames.key(names[g.get(0)])));
    for (List<Integer> group : groups) {
      group.sort(Comparator.<Integer>comparingInt(i -> level[i])
          .thenComparing(i -> inputs.get(i), Globs.PATH_ORDER)
          .thenComparingInt(i -> i));
      int next = 2;
      for (int i : group.subList(1, group.size())) {
        String numbered;
        do {
          numbered = FolderNames.withNumber(names[i], next++);
        } while (!taken.add(FolderNames.key(numbered)));
        names[i] = numbered;
      }
    }
  }
}
