package dev.berth.clients;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import dev.berth.auth.Users;
import dev.berth.metadata.sql.SqlMetadataStore;
import dev.berth.testing.OciLayout;
import dev.berth.testing.RunningRegistry;
import dev.berth.testing.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real clients through Docker's token flow: podman login, skopeo --creds, Jib with credentials. */
class AuthenticatedClientsIT {
  private static final String PASSWORD = "developer-pass-1";

  @TempDir
  static Path work;

  static RunningRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    registry = RunningRegistry.startWithAuth(work.resolve("registry"), "admin-password-1");
    try (SqlMetadataStore store = SqlMetadataStore.sqlite(work.resolve("registry/berth/metadata.db"))) {
      new Users(store.access(), Clock.systemUTC()).add("dev", PASSWORD, false);
      new Users(store.access(), Clock.systemUTC()).add("viewer", PASSWORD, false);
      store.access().setRole("ci", "dev", "developer");
      store.access().setRole("ci", "viewer", "guest");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private static OciLayout image(String name, long seed) throws Exception {
    OciLayout layout = OciLayout.create(work.resolve(name));
    layout.tag(layout.image("amd64", seed, 200_000, 10_000), "v1");
    return layout;
  }

  @Test
  void podmanLogsInPushesAndPulls() throws Exception {
    String podman = Tool.require("podman");
    OciLayout layout = image("podman-layout", 11);
    List<String> base = List.of(podman, "--storage-driver", "vfs", "--root", work.resolve("root").toString(),
        "--runroot", work.resolve("run").toString(), "--cgroup-manager", "cgroupfs", "--events-backend", "file");
    Path auth = work.resolve("auth.json");
    String target = registry.hostPort() + "/ci/podman:v1";

    Tool.Result anonymous = Tool.run(work, with(base, "pull", "--tls-verify=false", target), 120);
    assertThat(anonymous.exitCode()).isNotZero();

    Tool.ok(work, with(base, "login", "--tls-verify=false", "--authfile", auth.toString(), "-u", "dev", "-p", PASSWORD,
        registry.hostPort()));
    Tool.ok(work, with(base, "pull", "--authfile", auth.toString(), "--tls-verify=false", "oci:" + layout.dir() + ":v1"));
    String local = Tool.ok(work, with(base, "images", "-q")).trim().lines().findFirst().orElseThrow();
    Tool.ok(work, with(base, "tag", local, target));
    Tool.ok(work, with(base, "push", "--authfile", auth.toString(), "--tls-verify=false", target));
    Tool.ok(work, with(base, "rmi", "-a", "-f"));
    Tool.ok(work, with(base, "pull", "--authfile", auth.toString(), "--tls-verify=false", target));
    assertThat(Tool.ok(work, with(base, "images", "-q", target)).trim()).isNotEmpty();

    Tool.Result wrong = Tool.run(work, with(base, "login", "--tls-verify=false", "--authfile",
        work.resolve("other.json").toString(), "-u", "dev", "-p", "wrong-password", registry.hostPort()), 120);
    assertThat(wrong.exitCode()).isNotZero();
  }

  @Test
  void skopeoCopiesWithCredentialsAndAGuestCannotPush() throws Exception {
    String skopeo = Tool.require("skopeo");
    OciLayout layout = image("skopeo-layout", 12);
    String target = "docker://" + registry.hostPort() + "/ci/skopeo:v1";
    Tool.ok(work, List.of(skopeo, "--insecure-policy", "copy", "--dest-tls-verify=false", "--dest-creds", "dev:" + PASSWORD,
        "oci:" + layout.dir() + ":v1", target));
    Tool.ok(work, List.of(skopeo, "--insecure-policy", "copy", "--src-tls-verify=false", "--src-creds", "viewer:" + PASSWORD,
        target, "oci:" + work.resolve("skopeo-back") + ":v1"));
    assertThat(Files.exists(work.resolve("skopeo-back/index.json"))).isTrue();

    Tool.Result guestPush = Tool.run(work, List.of(skopeo, "--insecure-policy", "copy", "--dest-tls-verify=false",
        "--dest-creds", "viewer:" + PASSWORD, "oci:" + layout.dir() + ":v1",
        "docker://" + registry.hostPort() + "/ci/skopeo:guest"), 120);
    assertThat(guestPush.exitCode()).isNotZero();
    assertThat(guestPush.output()).containsIgnoringCase("denied");
  }

  @Test
  void jibPushesWithCredentials() throws Exception {
    Path app = work.resolve("jib-app");
    Files.createDirectories(app);
    Files.writeString(app.resolve("hello.txt"), "hello from jib with credentials");
    // Jib sends credentials over plain HTTP only when told to, as its users do for a loopback registry.
    System.setProperty("sendCredentialsOverHttp", "true");
    JibContainer container = Jib.fromScratch()
        .addLayer(List.of(app.resolve("hello.txt")), AbsoluteUnixPath.get("/app"))
        .containerize(Containerizer.to(RegistryImage.named(registry.hostPort() + "/ci/jib:v1")
                .addCredential("dev", PASSWORD))
            .setAllowInsecureRegistries(true));
    assertThat(container.getDigest().toString()).startsWith("sha256:");

    Tool.Result inspect = Tool.run(work, List.of(Tool.require("skopeo"), "inspect", "--tls-verify=false",
        "--creds", "viewer:" + PASSWORD, "docker://" + registry.hostPort() + "/ci/jib:v1"), 120);
    assertThat(inspect.exitCode()).as(inspect.output()).isZero();
    assertThat(inspect.output()).contains(container.getDigest().toString());
  }

  private static List<String> with(List<String> base, String... args) {
    List<String> command = new ArrayList<>(base);
    command.addAll(List.of(args));
    return command;
  }
}
