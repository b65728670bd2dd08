package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.MediaType;
import java.util.Arrays;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AcceptedTypesTest {
  private static final MediaType OCI = MediaType.OCI_MANIFEST;

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "application/vnd.oci.image.manifest.v1+json | true",
      "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json | true",
      "  APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON ;q=0.5 , text/plain | true",
      "text/plain;q=0.1, */* | true",
      "application/* | true",
      "application/vnd.oci.image.manifest.v1+jsonx | false",
      "xapplication/vnd.oci.image.manifest.v1+json | false",
      "application/vnd.oci.image.index.v1+json | false",
      "application/vnd.oci.image.manifest.v1+json;x=,text/plain | true",
      "',' | false",
      "'' | false",
  })
  void readsEveryListedTypeIgnoringParametersSpacesAndCase(String header, boolean accepted) {
    assertThat(AcceptedTypes.accepts(List.of(new HttpField(HttpHeader.ACCEPT, header)), OCI)).isEqualTo(accepted);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "text/plain | application/vnd.oci.image.manifest.v1+json | true",
      "text/plain | application/json | false",
  })
  void readsEveryAcceptHeader(String first, String second, boolean accepted) {
    List<HttpField> headers = Arrays.asList(new HttpField(HttpHeader.ACCEPT, first),
        new HttpField(HttpHeader.USER_AGENT, OCI.value()), new HttpField(HttpHeader.ACCEPT, second));
    assertThat(AcceptedTypes.accepts(headers, OCI)).isEqualTo(accepted);
  }
}
