package dev.rgrid.core.internal.batch;

import dev.rgrid.core.internal.batch.GlobPattern.Alternative;
import dev.rgrid.core.internal.batch.GlobPattern.Segment;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.BitSet;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Walks one directory for all the pattern alternatives that start there, in a single pass.
 *
 * <p>The alternatives run as one small automaton: its state is the set of (alternative, segment)
 * positions still possible at the current directory, held in a {@link BitSet}. A {@code **}
 * segment may stay where it is (consume one more directory) or be skipped (consume none), which is
 * how {@code **}{@code /x.csv} matches {@code x.csv} at the top. A directory is only entered when
 * some position is still open for it, so {@code data/*}{@code /in.csv} never reads deeper than two
 * levels, and only one open directory stream per level is held at a time.
 */
final class GlobWalker {
  /** Opens a directory for listing; a seam so tests can make a directory unreadable as root. */
  interface DirectoryOpener {
    DirectoryStream<Path> open(Path dir) throws IOException;
  }

  private final Segment[][] segments;
  private final int[] patternOf;
  private final int[] alternativeOf;
  private final int[] positionOf;
  private final int[] offsets;
  private final DirectoryOpener opener;
  private final BiConsumer<Path, Integer> onMatch;

  /**
   * @param alternatives the alternatives starting at the directory to walk, each with segments
   * @param opener how to list a directory
   * @param onMatch called with each matching regular file and the index of a pattern it matches
   */
  GlobWalker(List<Alternative> alternatives, DirectoryOpener opener,
      BiConsumer<Path, Integer> onMatch) {
    this.opener = opener;
    this.onMatch = onMatch;
    int n = alternatives.size();
    segments = new Segment[n][];
    patternOf = new int[n];
    offsets = new int[n + 1];
    for (int a = 0; a < n; a++) {
      segments[a] = alternatives.get(a).segments().toArray(new Segment[0]);
      patternOf[a] = alternatives.get(a).patternIndex();
      offsets[a + 1] = offsets[a] + segments[a].length + 1;
    }
    alternativeOf = new int[offsets[n]];
    positionOf = new int[offsets[n]];
    for (int a = 0; a < n; a++) {
      for (int p = 0; p <= segments[a].length; p++) {
        alternativeOf[offsets[a] + p] = a;
        positionOf[offsets[a] + p] = p;
      }
    }
  }

  /** Walks {@code root}, which must be a directory. */
  void walk(Path root) {
    BitSet start = new BitSet();
    for (int a = 0; a < segments.length; a++) {
      start.set(offsets[a]);
    }
    walk(root, closure(start));
  }

  private void walk(Path dir, BitSet state) {
    try (DirectoryStream<Path> entries = opener.open(dir)) {
      for (Path entry : entries) {
        Path name = entry.getFileName();
        if (name == null) {
          continue;
        }
        BitSet next = step(state, name.toString());
        if (next.isEmpty()) {
          continue; // decided by the name alone: no stat for the files we skip
        }
        BasicFileAttributes attrs;
        try {
          attrs = Files.readAttributes(entry, BasicFileAttributes.class,
              LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
          continue; // deleted while we listed its directory
        }
        if (attrs.isDirectory()) {
          if (hasOpenPosition(next)) {
            walk(entry, next);
          }
        } else if (attrs.isRegularFile()
            || attrs.isSymbolicLink() && Files.isRegularFile(entry)) {
          // A link to a file is an input like any other; a link to a directory is never
          // entered, which is what keeps a link loop from walking forever.
          report(entry, next);
        }
      }
    } catch (NoSuchFileException gone) {
      // the directory went away between being listed and being opened: nothing to match in it
    } catch (AccessDeniedException e) {
      throw unreadable(dir, e);
    } catch (DirectoryIteratorException e) {
      throw unreadable(dir, e.getCause());
    } catch (IOException e) {
      throw unreadable(dir, e);
    }
  }

  private static BatchException unreadable(Path dir, IOException e) {
    return new BatchException("cannot read directory " + dir + " while expanding --batch: "
        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()),
        "check its permissions, or use a pattern that does not reach into it", e);
  }

  private void report(Path file, BitSet state) {
    int lastPattern = -1;
    for (int a = 0; a < segments.length; a++) {
      if (state.get(offsets[a] + segments[a].length) && patternOf[a] != lastPattern) {
        lastPattern = patternOf[a];
        onMatch.accept(file, patternOf[a]);
      }
    }
  }

  /** The positions reached after reading the path segment {@code name}. */
  private BitSet step(BitSet state, String name) {
    BitSet next = new BitSet();
    for (int i = state.nextSetBit(0); i >= 0; i = state.nextSetBit(i + 1)) {
      int a = alternativeOf[i];
      int p = positionOf[i];
      if (p == segments[a].length) {
        continue; // this alternative is complete: deeper paths cannot match it
      }
      Segment segment = segments[a][p];
      if (segment.matches(name)) {
        next.set(segment.anyDepth() ? i : i + 1);
      }
    }
    return closure(next);
  }

  /** Adds the positions a {@code **} lets us skip to, since it may match no directory at all. */
  private BitSet closure(BitSet state) {
    for (int i = state.nextSetBit(0); i >= 0; i = state.nextSetBit(i + 1)) {
      int a = alternativeOf[i];
      int p = positionOf[i];
      if (p < segments[a].length && segments[a][p].anyDepth()) {
        state.set(i + 1); // visited next, as nextSetBit moves upwards: chains of ** close too
      }
    }
    return state;
  }

  private boolean hasOpenPosition(BitSet state) {
    for (int i = state.nextSetBit(0); i >= 0; i = state.nextSetBit(i + 1)) {
      if (positionOf[i] < segments[alternativeOf[i]].length) {
        return true;
      }
    }
    return false;
  }
}
