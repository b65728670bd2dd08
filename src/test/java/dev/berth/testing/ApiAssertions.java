package dev.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

/** Assertions on what every spec response must look like. */
public final class ApiAssertions {
  public static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";
  public static final String API_VERSION = "registry/2.0";

  private ApiAssertions() {}

  /**
   * The response is an error of {@code status} whose JSON body is
   * {@code {"errors":[{"code":<code>,"message":<string>,"detail":<optional>}, ...]}} and whose first
   * code is {@code code}; it also carries the API version header.
   */
  public static JsonNode assertError(RegistryResponse response, int status, String code) {
    assertThat(response.status()).as("status of %s", response).isEqualTo(status);
    assertThat(response.header(API_VERSION_HEADER)).as("API version header of %s", response).isEqualTo(API_VERSION);
    assertThat(response.header("Content-Type")).as("Content-Type of %s", response).startsWith("application/json");
    JsonNode errors = response.json().path("errors");
    assertThat(errors.isArray() && !errors.isEmpty()).as("errors array in %s", response).isTrue();
    for (JsonNode error : errors) {
      assertThat(error.path("code").asText()).as("code of %s", response).matches("[A-Z_]+");
      assertThat(error.path("message").isTextual()).as("message of %s", response).isTrue();
    }
    assertThat(errors.get(0).path("code").asText()).as("error code of %s", response).isEqualTo(code);
    return errors.get(0);
  }

  /** Status and API version header only: for HEAD, whose error response has no body. */
  public static void assertHeadError(RegistryResponse response, int status) {
    assertThat(response.status()).as("status of %s", response).isEqualTo(status);
    assertThat(response.header(API_VERSION_HEADER)).as("API version header of %s", response).isEqualTo(API_VERSION);
    assertThat(response.body()).as("body of %s", response).isEmpty();
  }

  public static void assertStatus(RegistryResponse response, int status) {
    assertThat(response.status()).as("status of %s", response).isEqualTo(status);
  }
}
