package dev.rgrid.spi.tck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds tiny, valid pure-Python wheels for tests, so that dependency installs never need a
 * package index: put them in a directory and install with {@code --no-index --find-links DIR}.
 */
public final class Wheels {
  private Wheels() {}

  /**
   * Writes {@code <name>-<version>-py3-none-any.whl} into {@code dir}: a package {@code module}
   * whose {@code __init__.py} is {@code code}, depending on {@code requires} (PEP 508 lines).
   *
   * @return the wheel file
   */
  public static Path write(Path dir, String name, String version, String module, String code,
      List<String> requires) throws IOException {
    String dist = name.replaceAll("[-_.]+", "_");
    String info = dist + "-" + version + ".dist-info/";
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(module + "/__init__.py", code.getBytes(StandardCharsets.UTF_8));
    StringBuilder metadata = new StringBuilder("Metadata-Version: 2.1\nName: " + name
        + "\nVersion: " + version + "\n");
    requires.forEach(r -> metadata.append("Requires-Dist: ").append(r).append('\n'));
    files.put(info + "METADATA", metadata.toString().getBytes(StandardCharsets.UTF_8));
    files.put(info + "WHEEL", ("Wheel-Version: 1.0\nGenerator: rgrid-tests\n"
        + "Root-Is-Purelib: true\nTag: py3-none-any\n").getBytes(StandardCharsets.UTF_8));
    files.put(info + "top_level.txt", (module + "\n").getBytes(StandardCharsets.UTF_8));
    StringBuilder record = new StringBuilder();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      record.append(f.getKey()).append(",sha256=").append(digest(f.getValue())).append(',')
          .append(f.getValue().length).append('\n');
    }
    record.append(info).append("RECORD,,\n");
    files.put(info + "RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(dir);
    Path wheel = dir.resolve(dist + "-" + version + "-py3-none-any.whl");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(f.getKey()));
        zip.write(f.getValue());
        zip.closeEntry();
      }
    }
    Files.write(wheel, bytes.toByteArray());
    return wheel;
  }

  /** A wheel of {@code name} whose module (the same name, dashes as underscores) says hello. */
  public static Path write(Path dir, String name, String version) throws IOException {
    String module = name.replace('-', '_');
    return write(dir, name, version, module, "VERSION = '" + version + "'\n"
        + "def hello():\n    return 'hello from " + name + " " + version + "'\n", List.of());
  }

  private static String digest(byte[] data) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(data);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
