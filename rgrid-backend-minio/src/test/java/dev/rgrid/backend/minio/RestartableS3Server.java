package dev.rgrid.backend.minio;

import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * A real S3 server (S3Proxy on 127.0.0.1, checking signatures with the keys of {@link
 * S3TestServer}) that a test can stop and start again on the same port and the same storage
 * directory, as an operator restarting MinIO would: clients keep their endpoint and find what was
 * stored before the outage.
 */
final class RestartableS3Server implements AutoCloseable {
  private final Path root;
  private final int port;
  private S3Proxy proxy;
  private FilesystemNio2BlobStore storage;

  private RestartableS3Server(Path root, S3Proxy proxy, FilesystemNio2BlobStore storage) {
    this.root = root;
    this.proxy = proxy;
    this.storage = storage;
    this.port = proxy.getPort();
  }

  /** Starts a server keeping its buckets under {@code root} (made if missing), on loopback. */
  static RestartableS3Server start(Path root) throws Exception {
    Files.createDirectories(root);
    FilesystemNio2BlobStore storage = new FilesystemNio2BlobStore(root.toString());
    return new RestartableS3Server(root, launch(storage, 0, S3TestServer.ACCESS_KEY,
        S3TestServer.SECRET_KEY), storage);
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Settings for {@code bucket} on this server, with the right credentials. */
  S3Settings settings(String bucket) {
    return S3Settings.of(endpoint(), bucket, S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY);
  }

  /** Stops the server: its port refuses connections until {@link #restart()}. */
  synchronized void stop() throws Exception {
    if (proxy != null) {
      proxy.stop();
      proxy = null;
    }
  }

  /** Starts the server again on the same port and storage directory. */
  void restart() throws Exception {
    restart(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY);
  }

  /**
   * Starts the server again on the same port and storage directory, accepting only these keys
   * from now on (as after a key rotation that a client missed).
   */
  synchronized void restart(String accessKey, String secretKey) throws Exception {
    if (proxy == null) {
      storage = new FilesystemNio2BlobStore(root.toString());
      proxy = launch(storage, port, accessKey, secretKey);
    }
  }

  /** The names of the objects under {@code prefix} in {@code bucket}; the server must run. */
  List<String> objects(String bucket, String prefix) throws Exception {
    List<String> names = new ArrayList<>();
    try (MinioClient admin = MinioClient.builder().endpoint(endpoint().toString())
        .credentials(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY).build()) {
      for (Result<Item> item : admin.listObjects(ListObjectsArgs.builder().bucket(bucket)
          .prefix(prefix).recursive(true).build())) {
        names.add(item.get().objectName());
      }
    }
    return names;
  }

  /** The object names of the multipart uploads started and neither completed nor aborted. */
  synchronized List<String> openMultipartUploads(String bucket) {
    return storage.listMultipartUploads(bucket).stream().map(u -> u.key()).toList();
  }

  @Override
  public void close() throws Exception {
    stop();
  }

  private static S3Proxy launch(FilesystemNio2BlobStore storage, int port, String accessKey,
      String secretKey) throws Exception {
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(storage)
        .endpoint(URI.create("http://127.0.0.1:" + port)) // loopback only
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
        .build();
    proxy.start();
    return proxy;
  }
}
