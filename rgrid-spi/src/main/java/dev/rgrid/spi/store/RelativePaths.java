package dev.rgrid.spi.store;

/** Validation of the relative paths inputs and artifacts carry, shared by every backend. */
public final class RelativePaths {
  /** Longest accepted relative path, in characters. */
  public static final int MAX_LENGTH = 1024;

  private RelativePaths() {}

  /**
   * Checks that {@code path} is a non-empty, {@code /}-separated relative path with no empty,
   * {@code .} or {@code ..} segment, no backslash and no control character, so that resolving it
   * under a directory can never leave that directory.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static String requireSafe(String path) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException("empty relative path");
    }
    if (path.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("relative path longer than " + MAX_LENGTH + " characters");
    }
    if (path.startsWith("/") || path.indexOf('\\') >= 0) {
      throw new IllegalArgumentException("not a relative /-separated path: " + path);
    }
    for (int i = 0; i < path.length(); i++) {
      if (Character.isISOControl(path.charAt(i))) {
        throw new IllegalArgumentException("control character in path: " + path.replaceAll("\\p{Cntrl}", "?"));
      }
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("unsafe segment '" + segment + "' in path: " + path);
      }
    }
    return path;
  }
}
