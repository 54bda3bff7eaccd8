package example;

import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import java.nio.file.Path;

/**
 * Runs a script given on the command line wherever {@link RGrid#client()} resolves (a server when
 * one is configured and rgrid-client is on the class path, else shared state, else the embedded
 * default) and prints how it ended.
 */
public final class Hello {
  private Hello() {}

  public static void main(String[] args) throws InterruptedException {
    try (RGrid rgrid = RGrid.client()) {
      Execution execution = rgrid.run(RunSpec.builder(Path.of(args[0])).build());
      ExecutionRecord done = execution.await();
      System.out.println(execution.id().value() + " " + done.status());
    }
  }
}
