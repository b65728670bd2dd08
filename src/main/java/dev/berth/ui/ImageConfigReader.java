package dev.berth.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.Digest;
import dev.berth.oci.RepositoryName;
import dev.berth.registry.Blobs;
import dev.berth.registry.RegistryException;
import dev.berth.ui.view.ArtifactView;
import dev.berth.ui.view.Format;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An image's config blob read through the registry's blob use case (so the repository's links and
 * the configured storage decide, exactly as for a pull), for what the artifact page shows of it.
 */
final class ImageConfigReader {
  /**
   * Config media types whose JSON follows the OCI / Docker image config; other artifacts' configs are
   * theirs. The store falls back to the config's media type when a manifest names no artifact type;
   * for a plain container image that says nothing worth a line, so pages do not show these as one.
   */
  static final Set<String> IMAGE_CONFIGS = Set.of(
      "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json");
  /** Real configs are kilobytes; one beyond this is not read into a page. */
  private static final int LARGEST_READ = 4 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Blobs blobs;

  ImageConfigReader(Blobs blobs) {
    this.blobs = blobs;
  }

  /** The config, or why it cannot be shown. */
  sealed interface Outcome {}

  record Read(ArtifactView.Config config) implements Outcome {}

  record Unreadable(String why) implements Outcome {}

  Outcome read(RepositoryName repository, Digest digest) {
    JsonNode root;
    try {
      Optional<byte[]> bytes = blobs.read(repository, digest, LARGEST_READ);
      if (bytes.isEmpty()) {
        return new Unreadable("The config is larger than " + Format.bytes(LARGEST_READ) + ", too large to show here.");
      }
      root = JSON.readTree(bytes.get());
    } catch (JsonProcessingException e) {
      return new Unreadable("The config blob is not valid JSON.");
    } catch (RegistryException e) {
      return new Unreadable("The config blob is not in this repository.");
    } catch (IOException e) {
      return new Unreadable("The config blob could not be read from storage.");
    }
    if (root == null || !root.isObject()) {
      return new Unreadable("The config blob is not a JSON object.");
    }
    return new Read(config(root));
  }

  static ArtifactView.Config config(JsonNode root) {
    JsonNode run = root.path("config");
    Map<String, String> labels = new HashMap<>();
    run.path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    List<ArtifactView.HistoryStep> history = new ArrayList<>();
    for (JsonNode step : root.path("history")) {
      history.add(new ArtifactView.HistoryStep(step.path("created").asText(""),
          step.path("created_by").asText(""), step.path("comment").asText(""),
          step.path("empty_layer").asBoolean(false)));
    }
    return new ArtifactView.Config(platform(root), root.path("created").asText(""),
        strings(run.path("Entrypoint")), strings(run.path("Cmd")), strings(run.path("Env")),
        run.path("WorkingDir").asText(""), run.path("User").asText(""),
        Format.lines(labels), history);
  }

  /** {@code os/architecture[/variant]}, as an index's platform is written. */
  static String platform(JsonNode node) {
    String text = node.path("os").asText("?") + "/" + node.path("architecture").asText("?");
    return node.hasNonNull("variant") ? text + "/" + node.get("variant").asText() : text;
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
