package dev.berth.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.InvalidDigestException;
import dev.berth.oci.InvalidManifestException;
import dev.berth.oci.InvalidNameException;
import dev.berth.oci.InvalidTagException;
import dev.berth.oci.OciFormatException;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.RegistryException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The one place where typed errors become the spec's wire format: a status and a JSON body. */
final class ErrorResponses {

  private ErrorResponses() {}

  static int status(ErrorCode code) {
    return switch (code) {
      case BLOB_UNKNOWN, BLOB_UPLOAD_UNKNOWN, MANIFEST_UNKNOWN, NAME_UNKNOWN -> 404;
      // A manifest naming what the repository lacks is a bad manifest (400, as Docker Registry and
      // zot answer), not a missing resource: the manifest itself was never there.
      case BLOB_UPLOAD_INVALID, DIGEST_INVALID, MANIFEST_BLOB_UNKNOWN, MANIFEST_INVALID, NAME_INVALID, SIZE_INVALID,
          TAG_INVALID, PAGINATION_NUMBER_INVALID -> 400;
      case MANIFEST_REFERENCED, BLOB_REFERENCED -> 409;
      case MANIFEST_TOO_LARGE -> 413;
      case RANGE_INVALID -> 416;
      case UNAUTHORIZED -> 401;
      case DENIED -> 403;
      case UNSUPPORTED -> 405;
      case TOOMANYREQUESTS -> 429;
      case UNAVAILABLE -> 503;
      case UNKNOWN -> 500;
    };
  }

  static RegistryException fromFormat(OciFormatException e) {
    ErrorCode code = switch (e) {
      case InvalidNameException n -> ErrorCode.NAME_INVALID;
      case InvalidDigestException d -> ErrorCode.DIGEST_INVALID;
      case InvalidTagException t -> ErrorCode.TAG_INVALID;
      case InvalidManifestException m -> ErrorCode.MANIFEST_INVALID;
    };
    return new RegistryException(code, e.getMessage());
  }

  static byte[] body(ObjectMapper json, ErrorCode code, String message, Object detail) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code.wireCode());
    error.put("message", message);
    if (detail != null) {
      error.put("detail", detail);
    }
    try {
      return json.writeValueAsBytes(Map.of("errors", List.of(error)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("error body is plain data", e);
    }
  }
}
