package dev.berth.http;

import java.util.Optional;

/**
 * Which {@code /v2/} endpoint a path names. A repository name may itself contain {@code blobs} or
 * {@code manifests} segments, so each route is recognised from the end of the path: the last
 * segment is the reference, digest or upload id, the segments before it say the endpoint, and the
 * rest is the name.
 */
record V2Route(Kind kind, String name, String argument) {

  enum Kind { UPLOADS, UPLOAD, BLOB, MANIFEST, TAGS, REFERRERS }

  private static final String PREFIX = "/v2/";

  /** Empty when the path names no endpoint (the base and catalog paths are not routes here). */
  static Optional<V2Route> parse(String path) {
    if (!path.startsWith(PREFIX)) {
      return Optional.empty();
    }
    if (path.endsWith("/blobs/uploads/")) {
      return route(Kind.UPLOADS, path, path.length() - "/blobs/uploads/".length(), "");
    }
    int slash = path.lastIndexOf('/');
    String last = path.substring(slash + 1);
    String before = path.substring(0, slash);
    if (last.isEmpty()) {
      return Optional.empty();
    }
    if (last.equals("uploads") && before.endsWith("/blobs")) {
      return route(Kind.UPLOADS, path, before.length() - "/blobs".length(), "");
    }
    if (before.endsWith("/blobs/uploads")) {
      Optional<V2Route> upload = route(Kind.UPLOAD, path, before.length() - "/blobs/uploads".length(), last);
      if (upload.isPresent()) {
        return upload;
      }
    }
    if (before.endsWith("/blobs")) {
      return route(Kind.BLOB, path, before.length() - "/blobs".length(), last);
    }
    if (before.endsWith("/manifests")) {
      return route(Kind.MANIFEST, path, before.length() - "/manifests".length(), last);
    }
    if (last.equals("list") && before.endsWith("/tags")) {
      return route(Kind.TAGS, path, before.length() - "/tags".length(), "");
    }
    if (before.endsWith("/referrers")) {
      return route(Kind.REFERRERS, path, before.length() - "/referrers".length(), last);
    }
    return Optional.empty();
  }

  private static Optional<V2Route> route(Kind kind, String path, int nameEnd, String argument) {
    if (nameEnd <= PREFIX.length()) {
      return Optional.empty();
    }
    return Optional.of(new V2Route(kind, path.substring(PREFIX.length(), nameEnd), argument));
  }
}
