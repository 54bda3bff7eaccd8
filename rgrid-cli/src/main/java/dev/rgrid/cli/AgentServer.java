package dev.rgrid.cli;

import dev.rgrid.cli.agent.AgentFiles;
import dev.rgrid.cli.agent.Frames;
import dev.rgrid.cli.agent.ThinClient;
import dev.rgrid.core.Config;
import dev.rgrid.core.PrivateFiles;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The per-user agent: listens on {@code agent.sock} in the state directory (0600 in a 0700
 * directory, and each peer's uid checked against the socket's owner), runs each thin client's
 * command on a thread of its own with {@link AgentSession}, and keeps what commands open between
 * them ({@link SharedRGrids}). It exits once no command has run for the idle time and its RGrids
 * have no work left, or, when a client of another build has come, as soon as its own commands
 * have ended (that client starts the agent of its build).
 */
final class AgentServer implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AgentServer.class);

  private final Path socket;
  private final ServerSocketChannel server;
  private final UserPrincipal owner;
  private final String build = ThinClient.build();
  private final SharedRGrids rgrids = new SharedRGrids(this::spendingAlert);
  private final java.util.Set<AgentSession> active =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final SpareCommandLines commandLines = new SpareCommandLines();
  private final AtomicInteger sessions = new AtomicInteger();
  private final Object changed = new Object();
  private volatile long lastActive = System.nanoTime();
  private volatile boolean retiring;

  private AgentServer(Path socket, ServerSocketChannel server) throws IOException {
    this.socket = socket;
    this.server = server;
    this.owner = Files.getOwner(socket);
  }

  /**
   * Binds the socket in {@code home}; null when another agent already answers on it (a stale
   * socket file, left by an agent that died, is replaced).
   */
  static AgentServer bind(Path home) throws IOException {
    PrivateFiles.createDirectories(home);
    Path socket = home.resolve(AgentFiles.SOCKET);
    if (Files.exists(socket)) {
      try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        probe.connect(UnixDomainSocketAddress.of(socket));
        return null;
      } catch (IOException stale) {
        Files.deleteIfExists(socket);
      }
    }
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    // Between bind and this, the 0700 directory keeps others out; the uid check stays anyway.
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    return new AgentServer(socket, server);
  }

  /**
   * Opens, in the background, the RGrid a plain {@code rgrid run} on {@code config} asks for,
   * so that the first command finds it warm and the work nobody owns in the embedded state runs.
   */
  void openDefault(Config config, Duration lease) {
    if (config.server() != null || config.sharedState()) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        rgrids.open(new RGrids.Request(config, 2, null, null, false, lease, null));
      } catch (RuntimeException e) {
        LOG.warn("opening the embedded state failed: {}", e.getMessage());
      }
    }, "rgrid-agent-open");
    t.setDaemon(true);
    t.start();
  }

  /** Serves until idle for {@code idle} (or retired); then closes. */
  void serve(Duration idle) throws InterruptedException {
    Thread acceptor = new Thread(this::acceptLoop, "rgrid-agent-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    LOG.info("agent {} serving on {}", ProcessHandle.current().pid(), socket);
    synchronized (changed) {
      while (true) {
        boolean quiet = sessions.get() == 0;
        if (quiet && retiring) {
          break;
        }
        long left = idle.toNanos() - (System.nanoTime() - lastActive);
        if (quiet && left <= 0) {
          break;
        }
        changed.wait(Math.max(1, Math.min(60_000, left / 1_000_000)));
      }
    }
    LOG.info("agent {} stops taking commands ({})", ProcessHandle.current().pid(),
        retiring ? "a client of another build came" : "idle for " + idle);
    // New clients now start another agent; what runs here ends first: the commands connected
    // in the meantime, then the work the RGrids still run (detached runs).
    stopListening();
    synchronized (changed) {
      while (sessions.get() > 0) {
        changed.wait(60_000);
      }
    }
    rgrids.awaitIdle(Duration.ofSeconds(1));
  }

  private void stopListening() {
    try {
      if (!retiring) {
        Files.deleteIfExists(socket);
      }
      server.close();
    } catch (IOException e) {
      LOG.warn("closing the agent's socket failed: {}", e.getMessage());
    }
  }

  private void acceptLoop() {
    while (true) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        LOG.warn("accepting a client failed: {}", e.getMessage());
        continue;
      }
      sessions.incrementAndGet();
      Thread t = new Thread(() -> serveOne(client), "rgrid-agent-session");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serveOne(SocketChannel client) {
    try (client) {
      UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
      if (!peer.user().equals(owner)) {
        LOG.warn("refused a client of user {}: the agent serves {} only", peer.user(), owner);
        return;
      }
      InputStream in = new java.io.BufferedInputStream(Frames.input(client));
      OutputStream out = Frames.output(client);
      Frames.Frame first = Frames.read(new DataInputStream(in));
      if (first == null || first.type() != Frames.HELLO) {
        return;
      }
      Frames.Hello hello = Frames.Hello.decode(first.payload());
      if (!hello.build().equals(build)) {
        retire();
        Frames.write(out, Frames.MISMATCH, build.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return;
      }
      Frames.write(out, Frames.READY, new byte[0]);
      AgentSession session = new AgentSession(in, out);
      active.add(session);
      try {
        session.run(hello, rgrids, commandLines.take());
      } finally {
        active.remove(session);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("a client's session failed: {}", e.getMessage());
    } finally {
      lastActive = System.nanoTime();
      sessions.decrementAndGet();
      synchronized (changed) {
        changed.notifyAll();
      }
    }
  }

  /**
   * A spending threshold was crossed: said to every client whose command runs now, as a command
   * in its own process says it (a `rgrid: warning:` line). The library raises it on the worker
   * thread that recorded the cost, whose log goes to the agent's log, not to a client.
   */
  private void spendingAlert(dev.rgrid.core.SpendingAlert alert) {
    for (AgentSession session : active) {
      session.warn(alert.message());
    }
  }

  /** Steps aside for an agent of another build: new clients no longer find this one. */
  private void retire() throws IOException {
    retiring = true;
    Files.deleteIfExists(socket);
    server.close();
  }

  @Override
  public void close() {
    stopListening();
    rgrids.close();
  }
}
