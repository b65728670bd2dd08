package dev.berth.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.metadata.StoredManifest;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import dev.berth.oci.OciFormatException;
import dev.berth.oci.Reference;
import dev.berth.oci.RepositoryName;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Manifests;
import dev.berth.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;

/** {@code /v2/<name>/manifests/<reference>}: PUT, GET, HEAD and DELETE. */
final class ManifestEndpoints {
  private static final String OCI_SUBJECT = "OCI-Subject";

  private final Manifests manifests;
  private final int maxManifestBytes;
  private final ExternalUrl externalUrl;

  ManifestEndpoints(Manifests manifests, int maxManifestBytes, ExternalUrl externalUrl) {
    this.manifests = manifests;
    this.maxManifestBytes = maxManifestBytes;
    this.externalUrl = externalUrl;
  }

  void handle(Exchange ex, RepositoryName name, String rawReference, String user) throws IOException {
    Reference reference = parse(ex.method(), rawReference);
    switch (ex.method()) {
      case "GET", "HEAD" -> get(ex, name, reference);
      case "PUT" -> put(ex, name, reference, Exchange.actor(ex, user));
      case "DELETE" -> {
        ex.route("manifest_delete");
        manifests.delete(name, reference, Exchange.actor(ex, user));
        ex.empty(202);
      }
      default -> throw V2Handler.methodNotAllowed();
    }
  }

  private static Reference parse(String method, String rawReference) {
    try {
      return Reference.parse(rawReference);
    } catch (OciFormatException e) {
      RegistryException refusal = PathRefusals.manifestReference(method, rawReference);
      if (refusal.code() == ErrorCode.MANIFEST_UNKNOWN) {
        throw refusal;
      }
      throw e;
    }
  }

  private void put(Exchange ex, RepositoryName name, Reference reference, String actor) throws IOException {
    ex.route("manifest_put");
    byte[] payload = readBounded(ex.body(), maxManifestBytes);
    Optional<MediaType> contentType = Optional.ofNullable(ex.requestHeader(HttpHeader.CONTENT_TYPE))
        .map(MediaType::parseHeader)
        .filter(MediaType::isManifest);
    Manifests.Pushed pushed = manifests.put(name, reference, contentType, payload, actor);
    ex.header(HttpHeader.LOCATION, externalUrl.resolve(ex.request, "/v2/" + name + "/manifests/" + pushed.digest()));
    ex.header(V2Handler.CONTENT_DIGEST, pushed.digest().toString());
    pushed.subject().ifPresent(subject -> ex.header(OCI_SUBJECT, subject.toString()));
    ex.empty(201);
  }

  /** Reads at most {@code limit} bytes; one byte more means the manifest is too large. */
  private static byte[] readBounded(InputStream body, int limit) throws IOException {
    byte[] payload = body.readNBytes(limit + 1);
    if (payload.length > limit) {
      throw new RegistryException(ErrorCode.MANIFEST_TOO_LARGE, "manifest is larger than " + limit + " bytes");
    }
    return payload;
  }

  private void get(Exchange ex, RepositoryName name, Reference reference) throws IOException {
    ex.route(ex.isHead() ? "manifest_head" : "manifest_get");
    StoredManifest manifest = manifests.get(name, reference);
    if (reference instanceof Reference.ByTag) {
      manifest = negotiate(ex, name, manifest);
    }
    ex.header(V2Handler.CONTENT_DIGEST, manifest.digest().toString());
    ex.header(HttpHeader.ETAG, "\"" + manifest.digest() + "\"");
    if (!ex.isHead()) manifests.pulled(name, manifest.digest());
    ex.bytes(200, manifest.mediaType().value(), manifest.payload());
  }

  /**
   * Docker Registry's rules for a manifest fetched by tag whose type the client did not accept: an
   * OCI manifest or index is "unknown"; a Docker manifest list is replaced by its linux/amd64 entry;
   * a Docker schema 2 manifest is sent anyway (Berth never converts to schema 1).
   */
  private StoredManifest negotiate(Exchange ex, RepositoryName name, StoredManifest manifest) throws IOException {
    MediaType type = manifest.mediaType();
    if (type.equals(MediaType.DOCKER_MANIFEST) || AcceptedTypes.accepts(ex.requestHeaders(), type)) {
      return manifest;
    }
    if (type.equals(MediaType.DOCKER_MANIFEST_LIST)) {
      Digest child = defaultPlatform(ex, manifest).orElseThrow(() -> new RegistryException(ErrorCode.MANIFEST_UNKNOWN,
          "manifest list has no linux/amd64 entry and the client does not accept manifest lists"));
      return manifests.get(name, new Reference.ByDigest(child));
    }
    String message = type.equals(MediaType.OCI_INDEX)
        ? "OCI index found, but accept header does not support OCI indexes"
        : "OCI manifest found, but accept header does not support OCI manifests";
    throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, message);
  }

  private static Optional<Digest> defaultPlatform(Exchange ex, StoredManifest list) throws IOException {
    JsonNode root = ex.mapper().readTree(list.payload());
    for (JsonNode entry : root.path("manifests")) {
      JsonNode platform = entry.path("platform");
      if ("linux".equals(platform.path("os").asText()) && "amd64".equals(platform.path("architecture").asText())) {
        return Optional.of(Digest.parse(entry.path("digest").asText()));
      }
    }
    return Optional.empty();
  }
}
