package dev.berth.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A refusal of the admin API with its HTTP status, answered as {@code {"error": message}}. */
final class AdminError extends RuntimeException {
  private static final int MAX_BODY = 64 * 1024;

  final int status;

  AdminError(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The request's JSON body; an empty body reads as {@code {}}. */
  static JsonNode readBody(Exchange ex) throws IOException {
    return parseJson(ex.mapper(), readText(ex));
  }

  /** The request's body as text, up to the size an admin request may have. */
  static String readText(Exchange ex) throws IOException {
    byte[] body = ex.body().readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      throw new AdminError(413, "the body is larger than " + MAX_BODY / 1024 + " KiB");
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  static JsonNode parseJson(ObjectMapper json, String text) {
    if (text.isBlank()) {
      return json.createObjectNode();
    }
    try {
      return json.readTree(text);
    } catch (IOException e) {
      throw new AdminError(400, "body is not valid JSON");
    }
  }
}
