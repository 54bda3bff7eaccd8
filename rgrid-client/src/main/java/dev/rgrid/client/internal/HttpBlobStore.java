package dev.rgrid.client.internal;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.blob.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * The server's blob store as seen by this account ({@code /api/v1/blobs/{sha256}}), so that {@code
 * RunPreparation} uploads a run's script and inputs exactly as the engine stores them locally.
 * Content the server already holds for the account is never sent again: {@link #put} hashes
 * first, asks with a HEAD, and uploads only what is missing. Content larger than a small buffer
 * is spooled to a temporary file while it is hashed, so memory stays flat and a failed upload can
 * be repeated from the file.
 */
public final class HttpBlobStore implements BlobStore {
  private static final int IN_MEMORY = 1 << 20;

  private final Http http;

  public HttpBlobStore(Http http) {
    this.http = http;
  }

  @Override
  public BlobInfo put(InputStream content) {
    Path spool = null;
    try {
      MessageDigest sha = sha256();
      byte[] head = content.readNBytes(IN_MEMORY);
      sha.update(head);
      long size = head.length;
      if (head.length == IN_MEMORY) { // more may follow: keep it all on disk, not in memory
        spool = Files.createTempFile("rgrid-upload-", ".part");
        try (OutputStream file = Files.newOutputStream(spool)) {
          file.write(head); // straight to the file: the digest has seen these bytes already
          OutputStream hashed = new DigestOutputStream(file, sha);
          size += content.transferTo(hashed);
          hashed.flush();
        }
      }
      BlobKey key = new BlobKey(HexFormat.of().formatHex(sha.digest()));
      if (!exists(key)) {
        upload(key, spool == null ? RequestBody.create(head, Http.BYTES)
            : RequestBody.create(spool.toFile(), Http.BYTES));
      }
      return new BlobInfo(key, size);
    } catch (IOException e) {
      throw new RGridException("cannot read the content to upload: " + e.getMessage(),
          "check that the file is readable", null, e);
    } finally {
      if (spool != null) {
        try {
          Files.deleteIfExists(spool);
        } catch (IOException ignored) {
          // a leftover in the temporary directory, named rgrid-upload-*.part
        }
      }
    }
  }

  private void upload(BlobKey key, RequestBody body) {
    Request request = http.request(http.url("blobs/" + key.sha256()).build()).put(body).build();
    http.send(request, code -> false, r -> null);
  }

  @Override
  public InputStream open(BlobKey key) {
    return http.stream(http.request(http.url("blobs/" + key.sha256()).build()).get().build());
  }

  @Override
  public boolean exists(BlobKey key) {
    return size(key).isPresent();
  }

  /** The size the server reports for a blob this account may use; empty when it may not. */
  @Override
  public Optional<Long> size(BlobKey key) {
    Request request = http.request(http.url("blobs/" + key.sha256()).build()).head().build();
    return http.send(request, code -> code == 404, r -> {
      if (r.code() == 404) {
        return Optional.<Long>empty();
      }
      String length = r.header("Content-Length");
      return Optional.of(length == null ? 0L : Long.parseLong(length.trim()));
    });
  }

  /** Not offered: blobs on the server are shared by executions and removed by its own pruning. */
  @Override
  public boolean delete(BlobKey key) {
    throw new UnsupportedOperationException("the server does not offer deleting blobs");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
