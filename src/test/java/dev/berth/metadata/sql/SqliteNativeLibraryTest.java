package dev.berth.metadata.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/** Loading from the copy is covered by CliIT, which reads the served process's memory map. */
class SqliteNativeLibraryTest {
  @TempDir Path dir;

  private static byte[] bundled() throws IOException {
    try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(
        LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName())) {
      assertThat(in).as("the driver ships a library for this platform").isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void theCopysNameCarriesTheDriverVersionOsAndArchitecture() {
    assertThat(SqliteNativeLibrary.copyName())
        .startsWith("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-")
        .contains(System.getProperty("os.arch"))
        .endsWith(LibraryLoaderUtil.getNativeLibName())
        .doesNotContain(" ", "/");
  }

  @Test
  void extractWritesTheDriversLibraryAndLeavesNoStagingFile() throws IOException {
    Path target = dir.resolve("berth/native").resolve(SqliteNativeLibrary.copyName());
    assertThat(SqliteNativeLibrary.extract(target)).isTrue();
    assertThat(Files.readAllBytes(target)).isEqualTo(bundled());

    Files.write(target, new byte[] {1, 2, 3});
    assertThat(SqliteNativeLibrary.extract(target)).isTrue();
    assertThat(Files.readAllBytes(target)).as("replaced whole").isEqualTo(bundled());
    try (var files = Files.list(target.getParent())) {
      assertThat(files).containsExactly(target);
    }
  }
}
