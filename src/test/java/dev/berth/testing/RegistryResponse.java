package dev.berth.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One response of the registry, with the accessors tests need. */
public final class RegistryResponse {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String method;
  private final HttpResponse<byte[]> response;

  RegistryResponse(String method, HttpResponse<byte[]> response) {
    this.method = method;
    this.response = response;
  }

  public int status() {
    return response.statusCode();
  }

  /** The first value of the header, or null when absent. */
  public String header(String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  public boolean hasHeader(String name) {
    return response.headers().firstValue(name).isPresent();
  }

  public long contentLength() {
    return response.headers().firstValueAsLong("Content-Length").orElse(-1);
  }

  public byte[] body() {
    return response.body();
  }

  public String text() {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  public JsonNode json() {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text(), e);
    }
  }

  /** The {@code code} of every entry of an error body, in order. */
  public List<String> errorCodes() {
    List<String> codes = new ArrayList<>();
    json().path("errors").forEach(e -> codes.add(e.path("code").asText()));
    return codes;
  }

  @Override
  public String toString() {
    String body = response.body().length > 600 ? text().substring(0, 600) + "..." : text();
    return method + " " + response.uri().getRawPath()
        + (response.uri().getRawQuery() == null ? "" : "?" + response.uri().getRawQuery())
        + " -> " + status() + " " + response.headers().map() + " " + body;
  }
}
