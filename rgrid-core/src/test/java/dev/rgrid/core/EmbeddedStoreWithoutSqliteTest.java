package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.RGridException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that depends on rgrid-client alone has core without the SQLite driver (the
 * client's POM leaves it out). Building an embedded RGrid there must say so, not fail with a bare
 * {@link NoClassDefFoundError}. Core is loaded here by a class loader of its own that hides the
 * driver; the SPI (and with it {@link RGridException}) still comes from the test's class path.
 */
class EmbeddedStoreWithoutSqliteTest {
  @TempDir Path home;

  @Test
  void buildingAnEmbeddedRGridWithoutTheSqliteDriverSaysToDependOnCore() throws Exception {
    ClassLoader withoutSqlite = new WithoutSqlite(getClass().getClassLoader());
    Class<?> config = withoutSqlite.loadClass(Config.class.getName());
    assertThat(config).isNotSameAs(Config.class); // core itself is loaded without the driver
    Object cfg = config.getMethod("from", Map.class)
        .invoke(null, Map.of("RGRID_HOME", home.toString()));
    Object builder = withoutSqlite.loadClass(RGrid.class.getName()).getMethod("builder")
        .invoke(null);
    builder.getClass().getMethod("config", config).invoke(builder, cfg);
    Method build = builder.getClass().getMethod("build");

    assertThatThrownBy(() -> unwrap(() -> build.invoke(builder)))
        .isInstanceOf(RGridException.class)
        .hasMessageContaining(home.resolve("rgrid.db").toString())
        .hasMessageContaining("SQLite driver (org.xerial:sqlite-jdbc) is not on the class path")
        .satisfies(e -> assertThat(((RGridException) e).hint()).get().asString()
            .contains("depend on dev.rgrid:rgrid-core")
            .contains("rgrid-client alone only connects to a server"));
    assertThat(Files.exists(home.resolve("rgrid.db"))).isFalse();
  }

  private interface Call {
    Object call() throws Exception;
  }

  private static void unwrap(Call call) throws Throwable {
    try {
      call.call();
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /**
   * Loads core's classes itself (so they link against what it offers) and refuses the SQLite
   * driver's; everything else comes from {@code parent}.
   */
  private static final class WithoutSqlite extends ClassLoader {
    WithoutSqlite(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("org.sqlite.")) {
        throw new ClassNotFoundException(name + " (hidden by the test)");
      }
      if (!name.startsWith("dev.rgrid.core.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          loaded = define(name);
        }
        if (resolve) {
          resolveClass(loaded);
        }
        return loaded;
      }
    }

    private Class<?> define(String name) throws ClassNotFoundException {
      try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
        if (in == null) {
          throw new ClassNotFoundException(name);
        }
        byte[] bytes = in.readAllBytes();
        return defineClass(name, bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
