package dev.berth.oci;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses manifest bytes as pushed. Rules: a JSON object with {@code schemaVersion: 2}; the
 * {@code mediaType} field, when present, must equal the Content-Type it was pushed with; an image
 * manifest has a config descriptor, an index has a manifests array; every descriptor has a media
 * type, a valid digest and a non-negative size.
 */
public final class ManifestParser {

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private ManifestParser() {}

  /**
   * @param contentType the media type the client declared, or empty when it sent none or a generic
   *     one; then the document's own {@code mediaType} (or its shape) decides
   */
  public static Manifest parse(byte[] bytes, Optional<MediaType> contentType) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new InvalidManifestException("manifest is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidManifestException("manifest could not be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new InvalidManifestException("manifest is not a JSON object");
    }
    JsonNode schemaVersion = root.get("schemaVersion");
    if (schemaVersion == null || !schemaVersion.isInt() || schemaVersion.intValue() != 2) {
      throw new InvalidManifestException("schemaVersion must be 2");
    }
    MediaType mediaType = resolveMediaType(root, contentType);
    Optional<String> artifactType = optionalText(root, "artifactType");
    artifactType.ifPresent(MediaType::new);
    Optional<Descriptor> subject = optionalDescriptor(root, "subject");
    Map<String, String> annotations = annotations(root, "manifest");
    if (mediaType.isIndex()) {
      if (root.has("config") || root.has("layers")) {
        throw new InvalidManifestException("an index has no config or layers");
      }
      List<Descriptor> children = descriptors(root, "manifests", true);
      return new Manifest(mediaType, Optional.empty(), List.of(), children, subject, artifactType, annotations);
    }
    if (root.has("manifests")) {
      throw new InvalidManifestException("an image manifest has no manifests array");
    }
    Descriptor config = optionalDescriptor(root, "config")
        .orElseThrow(() -> new InvalidManifestException("image manifest has no config"));
    List<Descriptor> layers = descriptors(root, "layers", false);
    return new Manifest(mediaType, Optional.of(config), layers, List.of(), subject, artifactType, annotations);
  }

  private static MediaType resolveMediaType(JsonNode root, Optional<MediaType> contentType) {
    Optional<MediaType> declared = optionalText(root, "mediaType").map(MediaType::new);
    if (declared.isPresent() && contentType.isPresent() && !declared.get().equals(contentType.get())) {
      throw new InvalidManifestException(
          "mediaType " + declared.get() + " does not match Content-Type " + contentType.get());
    }
    MediaType type = declared.or(() -> contentType).orElseGet(() -> guessFromShape(root));
    if (type.equals(MediaType.DOCKER_SCHEMA1_SIGNED)) {
      throw new InvalidManifestException("Docker schema 1 manifests are deprecated and not accepted");
    }
    if (!type.isManifest()) {
      throw new InvalidManifestException("unsupported manifest media type " + type);
    }
    return type;
  }

  private static MediaType guessFromShape(JsonNode root) {
    if (root.has("manifests")) {
      return MediaType.OCI_INDEX;
    }
    if (root.has("config")) {
      return MediaType.OCI_MANIFEST;
    }
    throw new InvalidManifestException("manifest has no mediaType and neither config nor manifests");
  }

  private static List<Descriptor> descriptors(JsonNode root, String field, boolean required) {
    JsonNode array = root.get(field);
    if (array == null || array.isNull()) {
      if (required) {
        throw new InvalidManifestException(field + " is missing");
      }
      return List.of();
    }
    if (!array.isArray()) {
      throw new InvalidManifestException(field + " must be an array");
    }
    List<Descriptor> result = new ArrayList<>(array.size());
    for (JsonNode node : array) {
      result.add(descriptor(node, field));
    }
    return result;
  }

  private static Optional<Descriptor> optionalDescriptor(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    return Optional.of(descriptor(node, field));
  }

  private static Descriptor descriptor(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new InvalidManifestException(where + ": descriptor must be an object");
    }
    String mediaType = requiredText(node, "mediaType", where);
    String digest = requiredText(node, "digest", where);
    JsonNode size = node.get("size");
    if (size == null || !size.canConvertToLong() || !size.isIntegralNumber()) {
      throw new InvalidManifestException(where + ": descriptor size must be an integer");
    }
    Digest parsed;
    try {
      parsed = Digest.parse(digest);
    } catch (InvalidDigestException e) {
      throw new InvalidManifestException(where + ": " + e.getMessage());
    }
    List<String> urls = new ArrayList<>();
    JsonNode urlNode = node.get("urls");
    if (urlNode != null && urlNode.isArray()) {
      urlNode.forEach(u -> urls.add(u.asText()));
    }
    Optional<String> artifactType = optionalText(node, "artifactType");
    return new Descriptor(new MediaType(mediaType), parsed, size.longValue(), artifactType,
        annotations(node, where), urls);
  }

  private static Map<String, String> annotations(JsonNode node, String where) {
    JsonNode annotations = node.get("annotations");
    if (annotations == null || annotations.isNull()) {
      return Map.of();
    }
    if (!annotations.isObject()) {
      throw new InvalidManifestException(where + ": annotations must be an object");
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : annotations.properties()) {
      if (!e.getValue().isTextual()) {
        throw new InvalidManifestException(where + ": annotation values must be strings");
      }
      result.put(e.getKey(), e.getValue().textValue());
    }
    return result;
  }

  private static String requiredText(JsonNode node, String field, String where) {
    return optionalText(node, field)
        .orElseThrow(() -> new InvalidManifestException(where + ": descriptor has no " + field));
  }

  private static Optional<String> optionalText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw new InvalidManifestException(field + " must be a string");
    }
    return Optional.of(value.textValue());
  }
}
