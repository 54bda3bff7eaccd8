package dev.rgrid.core.internal.secret;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.PrivateFiles;
import dev.rgrid.spi.RGridException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The master keys secrets are encrypted under: those of {@code RGRID_SECRET_KEY} (and {@code
 * RGRID_SECRET_KEY_PREVIOUS}, older keys still accepted for reading, e.g. during a rotation),
 * else those of the key file {@code secret.key} in the state directory, made {@code 0600} with a
 * random key on first use. The first key is the one new secrets are encrypted under. The file is
 * read again whenever it changed, so a long-lived process (a server, a worker) follows a
 * rotation another process made.
 */
public final class MasterKeys {
  /** The key file's name in the state directory. */
  public static final String FILE = "secret.key";

  private final List<MasterKey> fixed;
  private final Path file;
  private final SecureRandom random;
  private List<MasterKey> loaded = List.of();
  private Object loadedStamp;

  private MasterKeys(List<MasterKey> fixed, Path file, SecureRandom random) {
    this.fixed = fixed;
    this.file = file;
    this.random = random;
  }

  /**
   * Keys from {@code configured} (base64 texts, the current one first), else from the key file
   * {@code file}.
   *
   * @throws InvalidRunSpecException when a configured key is not base64 of 32 bytes
   */
  public static MasterKeys of(List<String> configured, Path file, SecureRandom random) {
    List<MasterKey> keys = new ArrayList<>();
    for (String text : configured) {
      try {
        keys.add(MasterKey.parse(text));
      } catch (IllegalArgumentException e) {
        throw new InvalidRunSpecException((keys.isEmpty() ? "RGRID_SECRET_KEY"
            : "RGRID_SECRET_KEY_PREVIOUS") + " is not a usable key: " + e.getMessage(),
            "set it to base64 of 32 random bytes, e.g. the output of `openssl rand -base64 32`");
      }
    }
    return new MasterKeys(List.copyOf(keys), file, random);
  }

  /** Whether the keys come from the environment rather than the key file. */
  public boolean fromEnvironment() {
    return !fixed.isEmpty();
  }

  /** Where the key file is (used only when the environment names no key). */
  public Path file() {
    return file;
  }

  /** The key new secrets are encrypted under, making the key file when there is none yet. */
  synchronized MasterKey current() {
    if (!fixed.isEmpty()) {
      return fixed.get(0);
    }
    List<MasterKey> keys = fileKeys();
    if (!keys.isEmpty()) {
      return keys.get(0);
    }
    create();
    return fileKeys().get(0);
  }

  /** The key with id {@code id}, if this process has it. */
  synchronized Optional<MasterKey> byId(String id) {
    List<MasterKey> keys = fixed.isEmpty() ? fileKeys() : fixed;
    return keys.stream().filter(k -> k.id().equals(id)).findFirst();
  }

  /**
   * Starts a rotation: with the key file, a new random key becomes the current one and the old
   * ones stay readable; with keys from the environment, the operator set the new one already.
   *
   * @return the key to re-encrypt every secret under
   */
  synchronized MasterKey rotate() {
    if (!fixed.isEmpty()) {
      return fixed.get(0);
    }
    List<MasterKey> keys = new ArrayList<>();
    keys.add(MasterKey.of(randomKey()));
    keys.addAll(fileKeys());
    write(keys);
    return keys.get(0);
  }

  /**
   * Ends a rotation to {@code current}: the key file keeps only it, so the old keys are gone from
   * this machine. Nothing changes for keys from the environment (unset {@code
   * RGRID_SECRET_KEY_PREVIOUS} instead).
   */
  synchronized void forgetAllBut(MasterKey current) {
    if (fixed.isEmpty()) {
      write(List.of(current));
    }
  }

  private byte[] randomKey() {
    byte[] bytes = new byte[MasterKey.BYTES];
    random.nextBytes(bytes);
    return bytes;
  }

  /** Makes the key file unless another process made it first (then its key wins). */
  private void create() {
    try {
      PrivateFiles.createDirectories(file.getParent());
      Path tmp = temporary();
      // A hard link fails when the name is taken: of processes making the file at once, one
      // wins and the others read its key, so no secret is ever encrypted under a lost key.
      try {
        Files.createLink(file, tmp);
      } catch (FileAlreadyExistsException e) {
        // made by another process meanwhile: use it
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new RGridException("cannot make the secret key file " + file + ": " + e.getMessage(),
          "check that the state directory is writable, or set RGRID_SECRET_KEY", null, e);
    }
  }

  private Path temporary() throws IOException {
    Path tmp = file.resolveSibling(FILE + "." + Long.toHexString(random.nextLong()) + ".tmp");
    PrivateFiles.writeString(tmp, MasterKey.of(randomKey()).base64() + "\n");
    return tmp;
  }

  private void write(List<MasterKey> keys) {
    StringBuilder text = new StringBuilder();
    keys.forEach(k -> text.append(k.base64()).append('\n'));
    try {
      PrivateFiles.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(FILE + "." + Long.toHexString(random.nextLong()) + ".tmp");
      PrivateFiles.writeString(tmp, text.toString());
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new RGridException("cannot write the secret key file " + file + ": "
          + e.getMessage(), "check that the state directory is writable", null, e);
    }
    loadedStamp = null;
  }

  private List<MasterKey> fileKeys() {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      Object stamp = List.of(attributes.lastModifiedTime(), attributes.size(),
          String.valueOf(attributes.fileKey()));
      if (stamp.equals(loadedStamp)) {
        return loaded;
      }
      List<MasterKey> keys = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        if (!line.isBlank()) {
          keys.add(MasterKey.parse(line));
        }
      }
      loaded = List.copyOf(keys);
      loadedStamp = stamp;
      return loaded;
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException | IllegalArgumentException e) {
      throw new RGridException("cannot read the secret key file " + file + ": " + e.getMessage(),
          "restore it from a backup (secrets encrypted under it cannot be read without it), or "
          + "set RGRID_SECRET_KEY", null, e);
    }
  }
}
