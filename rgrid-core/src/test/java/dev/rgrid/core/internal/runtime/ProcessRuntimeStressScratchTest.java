package dev.rgrid.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.Limits;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRuntimeStressScratchTest {
  @TempDir Path dir;

  @Test
  void stress() throws Exception {
    RuntimeDefinition py = new RuntimeDefinition("python3.11", "rgrid/python:3.11",
        List.of("python3", "-u"), List.of("python3.11", "python3"), ".py");
    String script = "import os, subprocess, sys\n"
        + "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'],"
        + " preexec_fn=lambda: os.setpgid(0, 0))\n"
        + "print(child.pid, os.getpgid(child.pid) != os.getpgid(0), flush=True)\n";
    List<String> bad = new ArrayList<>();
    try (ProcessRuntime rt = new ProcessRuntime()) {
      rt.prepare(py);
      for (int i = 0; i < 150; i++) {
        Path s = Files.createDirectories(dir.resolve("s" + i));
        Path w = Files.createDirectories(dir.resolve("w" + i));
        Files.writeString(s.resolve("main.py"), script);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> events = new ArrayList<>();
        OutputSink sink = new OutputSink() {
          @Override public synchronized void write(Stream st, byte[] b, int o, int l) {
            events.add(st + ":" + new String(b, o, l, StandardCharsets.UTF_8).replace("\n", "\\n"));
            if (st == Stream.STDOUT) out.write(b, o, l);
          }
          @Override public synchronized void closed(Stream st) { events.add(st + ":closed"); }
        };
        ContainerSpec spec = new ContainerSpec("x" + i, py, s, "main.py", w, List.of(), Map.of(),
            Limits.DEFAULT, Map.of(), null);
        long t0 = System.nanoTime();
        try (Container c = rt.start(spec, sink)) {
          var exit = c.await(Duration.ofSeconds(60));
          long ms = (System.nanoTime() - t0) / 1_000_000;
          synchronized (sink) {
            String o = out.toString(StandardCharsets.UTF_8).strip();
            if (o.split(" ").length != 2) {
              bad.add(i + ": exit=" + exit + " ms=" + ms + " events=" + events);
            }
          }
        }
      }
    }
    System.out.println("BAD " + bad.size() + "\n" + String.join("\n", bad));
    assertThat(bad).isEmpty();
  }
}
