package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/find-jdk, which every berth command runs first: it reads a JDK's version from its release
 * file rather than starting its JVM, and asks the JVM only when there is no release file.
 */
class FindJdkTest {
  private static final Path SCRIPT = Path.of("bin/find-jdk").toAbsolutePath();

  @TempDir
  Path dir;

  @Test
  void takesJavaHomeFromItsReleaseFileWithoutStartingItsJvm() throws Exception {
    Path jdk = fakeJdk("jdk-21", "JAVA_VERSION=\"21.0.2\"", "exit 1");

    assertThat(findJdk(jdk)).isEqualTo(jdk.toString());
  }

  @Test
  void passesOverAJavaHomeOlderThan21() throws Exception {
    Path jdk = fakeJdk("jdk-17", "JAVA_VERSION=\"17.0.15\"", "exit 1");

    assertThat(findJdk(jdk)).isNotEqualTo(jdk.toString());
  }

  @Test
  void asksTheJvmForTheVersionOfAJdkWithoutReleaseFile() throws Exception {
    Path jdk = fakeJdk("jdk-22", null, "echo '    java.specification.version = 22' >&2");

    assertThat(findJdk(jdk)).isEqualTo(jdk.toString());
  }

  /** A JDK home whose bin/java runs {@code javaBody}, with a release file unless it is null. */
  private Path fakeJdk(String name, String releaseLine, String javaBody) throws IOException {
    Path home = dir.resolve(name);
    Files.createDirectories(home.resolve("bin"));
    for (String tool : new String[] {"java", "javac"}) {
      Path binary = home.resolve("bin").resolve(tool);
      Files.writeString(binary, "#!/bin/sh\n" + javaBody + "\n");
      Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    if (releaseLine != null) {
      Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\n" + releaseLine + "\n");
    }
    return home;
  }

  private static String findJdk(Path javaHome) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", javaHome.toString());
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
  }
}
