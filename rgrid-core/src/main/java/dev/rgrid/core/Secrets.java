package dev.rgrid.core;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Named secrets of the caller (the account of a server's client, else the installation's own):
 * stored encrypted (AES-256-GCM under a master key, see {@code docs/operations.md}), passed to a
 * run as environment variables when it starts ({@link RunSpec.Builder#secret(String)}), and
 * masked as {@code ***} wherever its output is stored or shown. No method ever returns a value.
 *
 * <pre>{@code
 * rgrid.secrets().set("API_TOKEN", "s3cr3t".getBytes(StandardCharsets.UTF_8));
 * rgrid.run(RunSpec.builder(Path.of("call.py")).secret("API_TOKEN").build()).await();
 * }</pre>
 */
public interface Secrets {
  /** The largest value, in bytes. */
  int MAX_VALUE_BYTES = 64 * 1024;

  /**
   * Stores {@code value} (UTF-8 text, at most {@link #MAX_VALUE_BYTES}, no NUL) as the secret
   * {@code name}, replacing an earlier value. The caller may wipe the array afterwards.
   *
   * @throws InvalidRunSpecException for a name that is not a letter or {@code _} followed by up to
   *     127 letters, digits or {@code _}, or a value that cannot be an environment variable's
   */
  void set(String name, byte[] value);

  /** As {@link #set(String, byte[])}, for a value held as characters (e.g. read from a console). */
  default void set(String name, char[] value) {
    ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
    byte[] array = Arrays.copyOf(bytes.array(), bytes.limit());
    try {
      set(name, array);
    } finally {
      Arrays.fill(array, (byte) 0);
      Arrays.fill(bytes.array(), (byte) 0);
    }
  }

  /** The caller's secrets, by name: names and dates only. */
  List<SecretInfo> list();

  /**
   * Removes the secret {@code name}; runs submitted later that ask for it are refused.
   *
   * @return {@code false} when there was none
   * @throws InvalidRunSpecException for a malformed name
   */
  boolean remove(String name);

  /**
   * Re-encrypts every secret of the installation (every account's) under a new master key: with
   * the key file, a new random key replaces the old one, which is then forgotten; with {@code
   * RGRID_SECRET_KEY}, under that key (the old one given in {@code RGRID_SECRET_KEY_PREVIOUS}).
   * Only where the state is (not through a server's client).
   *
   * @return how many secrets were re-encrypted
   * @throws dev.rgrid.spi.RGridException when a secret cannot be decrypted with the keys at hand,
   *     or this client cannot rotate the server's key
   */
  int rotateKey();
}
