package dev.rgrid.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.simple.SimpleLogger;
import org.slf4j.simple.SimpleLoggerFactory;
import org.slf4j.simple.SimpleServiceProvider;

/**
 * The CLI's logging: slf4j-simple (configured by {@code simplelogger.properties}), except that
 * warnings read {@code rgrid: warning: ...} like the CLI's own messages, and a logged exception
 * becomes the end of its one line ({@code ...: its message: its cause's
 * message}) instead of a stack trace, unless {@code --debug} asked for stack traces. The library
 * logs exceptions with their stack for operators of long-running services; a CLI user reads one
 * line that says what happened. {@link #install()} selects it before anything logs.
 */
public final class CliLogProvider extends SimpleServiceProvider {
  private static volatile boolean debug;
  /** Where the agent's command threads say their warnings: their client's stderr. */
  private static final ThreadLocal<PrintStream> ROUTED = new ThreadLocal<>();
  private static final ThreadLocal<Boolean> ROUTED_DEBUG = new ThreadLocal<>();

  private final ILoggerFactory factory = new SimpleLoggerFactory() {
    @Override
    protected Logger createLogger(String name) {
      return new OneLine(name);
    }
  };

  /** Called by SLF4J, which instantiates providers by reflection. */
  public CliLogProvider() {}

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  /**
   * Makes SLF4J use this provider (unless the JVM was told another one) and turns a thread that
   * dies of an exception into one logged line rather than the JVM's stack trace. Call first
   * thing in {@code main}, before any class logs.
   */
  static void install() {
    if (System.getProperty("slf4j.provider") == null) {
      System.setProperty("slf4j.provider", CliLogProvider.class.getName());
      // SLF4J would say on stderr that it loads the provider named: not the user's business.
      if (System.getProperty("slf4j.internal.verbosity") == null) {
        System.setProperty("slf4j.internal.verbosity", "WARN");
      }
    }
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> LoggerFactory
        .getLogger(CliLogProvider.class).error("thread {} ended by an error", thread.getName(), e));
  }

  /**
   * Whether logged exceptions show their stack traces ({@code --debug}): for the process, or in
   * the agent for the command of this thread.
   */
  static void debug(boolean value) {
    if (ROUTED.get() != null) {
      ROUTED_DEBUG.set(value);
    } else {
      debug = value;
    }
  }

  private static boolean debugging() {
    Boolean routed = ROUTED_DEBUG.get();
    return routed != null ? routed : debug;
  }

  /**
   * Sends the warnings this thread logs to {@code err} (a client's stderr, in the agent) until
   * closed; other threads' go to the agent's log.
   */
  static Route route(PrintStream err) {
    ROUTED.set(err);
    return () -> {
      ROUTED.remove();
      ROUTED_DEBUG.remove();
    };
  }

  /** A {@link #route} in force. */
  interface Route extends AutoCloseable {
    @Override
    void close();
  }

  /** The exception's message and its causes' messages, each once, joined by ": ". */
  static String summary(Throwable t) {
    List<String> parts = new ArrayList<>();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable c = t; c != null && seen.put(c, Boolean.TRUE) == null; c = c.getCause()) {
      String m = c.getMessage();
      String part = m == null || m.isBlank() ? c.getClass().getSimpleName() : m.strip();
      // Wrappers often repeat their cause's message (or the cause's toString()) in their own.
      if (parts.stream().noneMatch(p -> p.contains(part))) {
        parts.add(part);
      }
    }
    return String.join(": ", parts).replaceAll("\\R", " ");
  }

  /** A simple logger whose exceptions end the line, stack traces only under {@code --debug}. */
  private static final class OneLine extends SimpleLogger {
    OneLine(String name) {
      super(name);
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern,
        Object[] args, Throwable t) {
      if (level == Level.WARN) {
        // Said as the CLI says its own errors and notes: `rgrid: warning: ...`, on stderr.
        String message = MessageFormatter.basicArrayFormat(pattern, args);
        boolean debug = debugging();
        String line = t == null || debug ? message : endedBy(message, summary(t));
        PrintStream err = ROUTED.get() != null ? ROUTED.get() : System.err;
        synchronized (err) {
          err.println("rgrid: warning: " + line);
          if (t != null && debug) {
            t.printStackTrace(err);
          }
        }
        return;
      }
      if (t == null || debugging()) {
        super.handleNormalizedLoggingCall(level, marker, pattern, args, t);
        return;
      }
      String message = MessageFormatter.basicArrayFormat(pattern, args);
      super.handleNormalizedLoggingCall(level, marker, endedBy(message, summary(t)), null, null);
    }

    private static String endedBy(String message, String cause) {
      return message == null || message.isBlank() ? cause
          : message.contains(cause) ? message : message + ": " + cause;
    }

    @Override
    protected void writeThrowable(Throwable t, PrintStream out) {
      if (debugging()) {
        super.writeThrowable(t, out);
      }
    }
  }
}
