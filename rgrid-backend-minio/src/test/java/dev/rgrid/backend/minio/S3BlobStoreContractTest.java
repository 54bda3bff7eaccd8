package dev.rgrid.backend.minio;

import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.tck.BlobStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The blob store contract on a real S3 server, each test on a new bucket. */
class S3BlobStoreContractTest extends BlobStoreContract {
  @TempDir
  static Path root;
  private static S3TestServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3TestServer.start(root);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Override
  protected BlobStore newStore() {
    return server.newStore();
  }
}
