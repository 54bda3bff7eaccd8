package example;

import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.store.ExecutionRecord;
import java.nio.file.Path;

/** Runs a script given on the command line on the embedded default and prints how it ended. */
public final class Hello {
  private Hello() {}

  public static void main(String[] args) throws InterruptedException {
    // A client of an RGrid server would open RGrid.connect(url, key) here, with rgrid-client.
    try (RGrid rgrid = RGrid.local()) {
      Execution execution = rgrid.run(RunSpec.builder(Path.of(args[0])).build());
      ExecutionRecord done = execution.await();
      System.out.println(execution.id().value() + " " + done.status());
    }
  }
}
