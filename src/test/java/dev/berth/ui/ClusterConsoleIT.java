package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.BerthCluster;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A console session on a deployment of three replicas behind round-robin nginx (issue 21): signed in
 * through the proxy, every page load and form post may land on another replica, and each of them,
 * asked directly or after a restart, knows the session; signing out ends it everywhere. Needs the
 * sessions in the shared database (branch {@code shared-state}).
 */
class ClusterConsoleIT {
  @TempDir
  Path temp;

  @Test
  void aSessionStartedOnOneReplicaContinuesOnEveryReplicaAndEndsEverywhere() throws Exception {
    try (BerthCluster cluster = BerthCluster.start(temp.resolve("cluster"), true)) {
      ConsoleClient browser = new ConsoleClient(cluster.uri("/"));
      assertThat(browser.login("admin", BerthCluster.ADMIN_PASSWORD).statusCode()).isEqualTo(303);
      for (int request = 0; request < 2 * BerthCluster.REPLICAS; request++) {
        HttpResponse<String> dashboard = browser.get("/ui/");
        assertThat(dashboard.statusCode()).as("page load %d through the proxy", request).isEqualTo(200);
      }
      for (BerthCluster.Replica replica : cluster.replicas()) {
        assertThat(browser.at(replica.uri("/")).get("/ui/").statusCode()).as(replica.name()).isEqualTo(200);
      }
      BerthCluster.Replica restarted = cluster.replica(0);
      restarted.close();
      restarted.start();
      assertThat(browser.at(restarted.uri("/")).get("/ui/").statusCode()).as("after a restart").isEqualTo(200);

      // The form is loaded from one replica and posted to the next.
      assertThat(browser.submit("/ui/", "/ui/logout", Map.of()).statusCode()).isEqualTo(303);
      for (BerthCluster.Replica replica : cluster.replicas()) {
        HttpResponse<String> signedOut = browser.at(replica.uri("/")).get("/ui/");
        assertThat(signedOut.statusCode()).as(replica.name()).isEqualTo(303);
        assertThat(signedOut.headers().firstValue("Location")).as(replica.name()).hasValue("/ui/login");
      }
    }
  }
}
