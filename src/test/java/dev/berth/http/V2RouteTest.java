package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class V2RouteTest {

  @ParameterizedTest
  @CsvSource({
      "/v2/a/blobs/uploads/, UPLOADS, a, ''",
      "/v2/a/blobs/uploads, UPLOADS, a, ''",
      "/v2/a/b/blobs/uploads/some-id, UPLOAD, a/b, some-id",
      "/v2/x/blobs/y/blobs/sha256:00, BLOB, x/blobs/y, sha256:00",
      "/v2/lib/manifests/x/manifests/latest, MANIFEST, lib/manifests/x, latest",
      "/v2/a/tags/list, TAGS, a, ''",
      "/v2/a/referrers/sha256:ab, REFERRERS, a, sha256:ab",
      "/v2/blobs/blobs/uploads, UPLOADS, blobs, ''",
  })
  void recognisesEachEndpointFromTheEnd(String path, V2Route.Kind kind, String name, String argument) {
    assertThat(V2Route.parse(path)).contains(new V2Route(kind, name, argument));
  }

  @ParameterizedTest
  @CsvSource({"/v2/", "/v2/a", "/v2/a/manifests/", "/v2//manifests/x", "/v2/a/blobs", "/v2/a/tags", "/v1/a/blobs/x",
      "/v2/a/unknown/x"})
  void namesNoEndpoint(String path) {
    assertThat(V2Route.parse(path)).isEmpty();
  }

  /** The distribution spec's route expressions, tried in the order the handler once tried them. */
  private static final List<Pattern> SPEC_ROUTES = List.of(
      Pattern.compile("^/v2/(.+)/blobs/uploads/?$"),
      Pattern.compile("^/v2/(.+)/blobs/uploads/([^/]+)$"),
      Pattern.compile("^/v2/(.+)/blobs/([^/]+)$"),
      Pattern.compile("^/v2/(.+)/manifests/([^/]+)$"),
      Pattern.compile("^/v2/(.+)/tags/list$"),
      Pattern.compile("^/v2/(.+)/referrers/([^/]+)$"));

  @Test
  void agreesWithTheSpecRouteExpressionsOnRandomPaths() {
    String[] segments = {"a", "b", "blobs", "uploads", "manifests", "tags", "list", "referrers", "sha256:ab", "", "v2"};
    Random random = new Random(42);
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      StringBuilder path = new StringBuilder("/v2");
      int count = 1 + random.nextInt(6);
      for (int s = 0; s < count; s++) {
        path.append('/').append(segments[random.nextInt(segments.length)]);
      }
      paths.add(path.toString());
      paths.add(path + "/");
    }
    for (String path : paths) {
      assertThat(V2Route.parse(path)).as(path).isEqualTo(byExpressions(path));
    }
  }

  private static Optional<V2Route> byExpressions(String path) {
    V2Route.Kind[] kinds = V2Route.Kind.values();
    for (int i = 0; i < SPEC_ROUTES.size(); i++) {
      Matcher m = SPEC_ROUTES.get(i).matcher(path);
      if (m.matches()) {
        return Optional.of(new V2Route(kinds[i], m.group(1), m.groupCount() > 1 ? m.group(2) : ""));
      }
    }
    return Optional.empty();
  }
}
