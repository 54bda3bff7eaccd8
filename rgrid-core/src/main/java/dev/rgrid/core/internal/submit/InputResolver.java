package dev.rgrid.core.internal.submit;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.internal.blob.Blobs;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.store.InputFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the arguments that name local files or directories, stores their content and rewrites them
 * to the path the script sees ({@code /work/<name>}), giving distinct names to different files that
 * share a name.
 */
public final class InputResolver {
  /** Where every runtime's working directory is, as written in stored arguments. */
  static final String WORK = "/work";

  private final BlobStore blobs;
  private final int maxInputFiles;
  private final Path base;
  private final List<InputFile> inputs = new ArrayList<>();
  private final Set<String> usedNames = new HashSet<>();
  private final Map<Path, String> nameByRealPath = new HashMap<>();

  InputResolver(BlobStore blobs, int maxInputFiles, Path base) {
    this.blobs = blobs;
    this.maxInputFiles = maxInputFiles;
    this.base = base;
  }

  /** The arguments with input paths rewritten; inputs are collected on the way. */
  List<String> rewriteArgs(List<String> args) {
    List<String> out = new ArrayList<>(args.size());
    for (String arg : args) {
      // NUL and sizes are the spec rules' (checked before): an argument here is a plain string.
      Path path = asExistingPath(arg);
      out.add(path == null ? arg : WORK + "/" + add(path));
    }
    return out;
  }

  /** Adds an input named explicitly ({@code -i}); it must exist. */
  void addExplicit(Path input) {
    Path path = base.resolve(input);
    if (!Files.exists(path)) {
      throw new InvalidRunSpecException("input " + input + " does not exist",
          "check the path given to -i/--input");
    }
    add(path);
  }

  List<InputFile> inputs() {
    return List.copyOf(inputs);
  }

  private Path asExistingPath(String arg) {
    if (arg.isEmpty() || arg.startsWith("-") || arg.length() > 4096) {
      return null;
    }
    try {
      Path path = base.resolve(arg);
      return Files.exists(path) ? path : null;
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /** Stores a file or directory and returns the name it has in the working directory. */
  private String add(Path path) {
    Path real;
    try {
      real = path.toRealPath();
    } catch (IOException e) {
      throw unreadable(path, e);
    }
    String known = nameByRealPath.get(real);
    if (known != null) {
      return known;
    }
    // The name the user gave (a link keeps its own name), the content of what it points to.
    String name = uniqueName(safeName(path.normalize().getFileName() == null ? real : path.normalize()));
    nameByRealPath.put(real, name);
    if (Files.isDirectory(real)) {
      addDirectory(real, name);
    } else if (Files.isRegularFile(real)) {
      addFile(real, name);
    } else {
      throw new InvalidRunSpecException("input " + path + " is neither a file nor a directory",
          "pass regular files or directories as inputs");
    }
    return name;
  }

  private void addDirectory(Path dir, String name) {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          // Links inside an input directory are not followed: they could point anywhere.
          if (attrs.isRegularFile()) {
            StringBuilder rel = new StringBuilder(name);
            for (Path part : dir.relativize(file)) {
              rel.append('/').append(safeSegment(part.toString()));
            }
            addFile(file, rel.toString());
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw unreadable(dir, e);
    } catch (UncheckedIOException e) {
      throw unreadable(dir, e.getCause());
    }
  }

  private void addFile(Path file, String relPath) {
    if (inputs.size() >= maxInputFiles) {
      throw new InvalidRunSpecException("more than " + maxInputFiles + " input files",
          "pack many small inputs into one archive, or pass fewer directories");
    }
    BlobInfo info;
    try {
      info = Blobs.put(blobs, file);
    } catch (IOException e) {
      throw unreadable(file, e);
    }
    inputs.add(new InputFile(relPath, info.key(), info.size()));
  }

  private String uniqueName(String name) {
    String candidate = name;
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : "";
    for (int i = 2; !usedNames.add(candidate); i++) {
      candidate = stem + "-" + i + ext;
    }
    return candidate;
  }

  private static String safeName(Path real) {
    Path fileName = real.getFileName();
    return fileName == null ? "input" : safeSegment(fileName.toString());
  }

  /** File names become path segments: no control characters or backslashes, never . or .. */
  public static String safeSegment(String s) {
    String cleaned = s.replaceAll("[\\p{Cntrl}\\\\]", "_");
    if (cleaned.isEmpty() || cleaned.equals(".") || cleaned.equals("..")) {
      return "_" + cleaned;
    }
    return cleaned.length() > 255 ? cleaned.substring(0, 255) : cleaned;
  }

  private static RGridException unreadable(Path path, IOException e) {
    return new InvalidRunSpecException("cannot read input " + path + ": " + e.getMessage(),
        "check that the file exists and is readable");
  }

  /**
   * Arguments are stored with inputs at {@code /work/<name>}; a runtime whose working directory is
   * elsewhere (the local process runtime) sees them at its own path.
   */
  public static List<String> atWorkDir(List<String> args, List<InputFile> inputs,
      String workDir) {
    if (workDir.equals(WORK)) {
      return args;
    }
    Set<String> tops = new HashSet<>();
    for (InputFile in : inputs) {
      int slash = in.path().indexOf('/');
      tops.add(WORK + "/" + (slash < 0 ? in.path() : in.path().substring(0, slash)));
    }
    List<String> out = new ArrayList<>(args.size());
    for (String a : args) {
      out.add(tops.contains(a) ? workDir + a.substring(WORK.length()) : a);
    }
    return out;
  }
}
