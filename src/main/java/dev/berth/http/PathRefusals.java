package dev.berth.http;

import dev.berth.oci.InvalidNameException;
import dev.berth.oci.RepositoryName;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;

/**
 * The spec error for a {@code /v2/} path that cannot be used as sent: an encoded slash or dot
 * segment, a NUL, a broken percent-encoding, or a dot segment that would name another repository
 * once resolved. The code says which part of the path is wrong, read from the raw path with the
 * same route rules as a valid request, so a client learns the same thing it would for a valid
 * path naming something bad.
 */
final class PathRefusals {
  private PathRefusals() {}

  static RegistryException refusal(String method, String rawPath) {
    V2Route route = V2Route.parse(rawPath).orElse(null);
    if (route == null || !isValidName(route.name())) {
      return new RegistryException(ErrorCode.NAME_INVALID, "the repository name in the path is not valid");
    }
    return switch (route.kind()) {
      case MANIFEST -> manifestReference(method, route.argument());
      case BLOB, REFERRERS -> new RegistryException(ErrorCode.DIGEST_INVALID, "the digest in the path is not valid");
      case UPLOAD -> new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "blob upload unknown to registry");
      case UPLOADS, TAGS -> new RegistryException(ErrorCode.NAME_INVALID, "the path is not valid");
    };
  }

  /**
   * A read of a reference that is neither a tag nor a digest finds nothing, as in Docker Registry:
   * clients probing for a manifest expect MANIFEST_UNKNOWN. Writing one is the client's mistake.
   */
  static RegistryException manifestReference(String method, String reference) {
    if ("GET".equals(method) || "HEAD".equals(method)) {
      return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown");
    }
    return reference.indexOf(':') >= 0
        ? new RegistryException(ErrorCode.DIGEST_INVALID, "the digest in the path is not valid")
        : new RegistryException(ErrorCode.TAG_INVALID, "the tag in the path is not valid");
  }

  /** A path whose {@code .} or {@code ..} segments the server would resolve into another name. */
  static boolean hasDotSegment(String rawPath) {
    // Every request passes here: a path with no segment starting with a dot is answered without
    // splitting it (no valid name, tag, digest or upload id has one).
    if (rawPath.indexOf("/.") < 0) {
      return false;
    }
    for (String segment : rawPath.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isValidName(String name) {
    try {
      RepositoryName.of(name);
      return true;
    } catch (InvalidNameException e) {
      return false;
    }
  }
}
