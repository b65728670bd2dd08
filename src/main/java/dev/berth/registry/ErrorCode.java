package dev.berth.registry;

/**
 * The error codes of the distribution spec (and the few Docker Registry added that clients know).
 * Which HTTP status each one travels with is the HTTP layer's business.
 */
public enum ErrorCode {
  /** A manifest above the size limit: the spec's SIZE_INVALID code, sent with 413. */
  MANIFEST_TOO_LARGE("SIZE_INVALID"),
  BLOB_UNKNOWN,
  BLOB_UPLOAD_INVALID,
  BLOB_UPLOAD_UNKNOWN,
  DIGEST_INVALID,
  MANIFEST_BLOB_UNKNOWN,
  MANIFEST_INVALID,
  MANIFEST_UNKNOWN,
  /** Not in the spec's table: deleting a manifest that an index in the repository still lists. */
  MANIFEST_REFERENCED,
  /** Not in the spec's table: unlinking a blob that a manifest in the repository references. */
  BLOB_REFERENCED,
  NAME_INVALID,
  NAME_UNKNOWN,
  SIZE_INVALID,
  TAG_INVALID,
  RANGE_INVALID,
  PAGINATION_NUMBER_INVALID,
  UNAUTHORIZED,
  DENIED,
  UNSUPPORTED,
  TOOMANYREQUESTS,
  UNAVAILABLE,
  /** An internal failure; the detail never carries internals. */
  UNKNOWN;

  private final String wireCode;

  ErrorCode() {
    this.wireCode = name();
  }

  ErrorCode(String wireCode) {
    this.wireCode = wireCode;
  }

  /** The {@code code} field of the error body. */
  public String wireCode() {
    return wireCode;
  }
}
