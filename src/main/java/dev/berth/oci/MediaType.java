package dev.berth.oci;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** An RFC 6838 media type without parameters, as used in descriptors and Content-Type headers. */
public record MediaType(String value) {

  // Declared before the constants below, which are validated against it during class initialisation.
  private static final Pattern GRAMMAR =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");

  public static final MediaType OCI_MANIFEST = new MediaType("application/vnd.oci.image.manifest.v1+json");
  public static final MediaType OCI_INDEX = new MediaType("application/vnd.oci.image.index.v1+json");
  public static final MediaType DOCKER_MANIFEST =
      new MediaType("application/vnd.docker.distribution.manifest.v2+json");
  public static final MediaType DOCKER_MANIFEST_LIST =
      new MediaType("application/vnd.docker.distribution.manifest.list.v2+json");
  public static final MediaType DOCKER_SCHEMA1_SIGNED =
      new MediaType("application/vnd.docker.distribution.manifest.v1+prettyjws");
  public static final MediaType OCI_EMPTY = new MediaType("application/vnd.oci.empty.v1+json");

  private static final Set<MediaType> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
  private static final Set<MediaType> IMAGES = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);

  public MediaType {
    if (value == null || !GRAMMAR.matcher(value).matches()) {
      throw new InvalidManifestException("invalid media type: " + (value == null ? "null" : Digest.abbreviate(value)));
    }
  }

  /** Parses a header value, dropping parameters ({@code ; charset=...}) and case in the type. */
  public static MediaType parseHeader(String header) {
    int semicolon = header.indexOf(';');
    String bare = (semicolon < 0 ? header : header.substring(0, semicolon)).trim();
    return new MediaType(bare.toLowerCase(Locale.ROOT));
  }

  public boolean isIndex() {
    return INDEXES.contains(this);
  }

  public boolean isImageManifest() {
    return IMAGES.contains(this);
  }

  public boolean isManifest() {
    return isIndex() || isImageManifest();
  }

  public boolean isDocker() {
    return value.startsWith("application/vnd.docker.");
  }

  @Override
  public String toString() {
    return value;
  }
}
