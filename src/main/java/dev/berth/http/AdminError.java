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
    return parseJson(ex.mapper(), new String(ex.body().readNBytes(MAX_BODY), StandardCharsets.UTF_8));
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
