package dev.rgrid.spi;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Thrown by a backend whose own disk is full (the file system answered "no space left on device",
 * or a database "database or disk is full"). It is a {@link BackendUnavailableException}, since
 * the backend cannot do its job, but not a transient one: core records it as the {@code
 * disk-full} failure kind, which is not retried unless the run's retry policy asks for it. A
 * remote store that is merely unreachable throws {@link BackendUnavailableException} instead.
 */
public class StorageFullException extends BackendUnavailableException {
  private final String location;

  /**
   * @param backend a short name of the backend ("file blob store", "sqlite")
   * @param location the path or store that is full, as the user knows it
   * @param message what failed, naming {@code location}
   * @param hint what to do about it (free space, or move the store)
   * @param cause the driver's or file system's error
   */
  public StorageFullException(String backend, String location, String message, String hint,
      Throwable cause) {
    super(backend, message, hint, cause);
    this.location = location;
  }

  /** The path or store that is full. */
  public String location() {
    return location;
  }

  /**
   * Whether {@code t} or one of its causes is a file system's "out of space" error ({@code
   * ENOSPC}, {@code EDQUOT}, or their Windows counterparts). Java reports them only as {@link
   * IOException}s whose message carries the operating system's text, so that text is what is
   * matched.
   */
  public static boolean isOutOfSpace(Throwable t) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable c = t; c != null && seen.put(c, Boolean.TRUE) == null; c = c.getCause()) {
      if (c instanceof StorageFullException) {
        return true;
      }
      String text = c instanceof FileSystemException f ? f.getReason() : c.getMessage();
      if (c instanceof IOException && text != null && saysOutOfSpace(text)) {
        return true;
      }
    }
    return false;
  }

  private static boolean saysOutOfSpace(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    return t.contains("no space left on device") || t.contains("disk quota exceeded")
        || t.contains("not enough space on the disk") || t.contains("disk is full");
  }
}
