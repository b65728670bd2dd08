package dev.berth.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

/** Which base URL a request's headers give, when no {@code http.host} is configured. */
class ExternalUrlTest {
  private static String base(HttpFields.Mutable headers) {
    return ExternalUrl.base(headers, "http", "127.0.0.1:5000");
  }

  @Test
  void withoutProxyHeadersTheRequestDecides() {
    assertThat(base(HttpFields.build())).isEqualTo("http://127.0.0.1:5000");
    assertThat(ExternalUrl.base(HttpFields.build(), "https", "localhost:8443")).isEqualTo("https://localhost:8443");
  }

  @Test
  void xForwardedHeadersGiveTheSchemeAndTheHost() {
    assertThat(base(HttpFields.build().add("X-Forwarded-Proto", "https"))).isEqualTo("https://127.0.0.1:5000");
    assertThat(base(HttpFields.build().add("X-Forwarded-Proto", "HTTPS").add("X-Forwarded-Host", "registry.example.com")))
        .isEqualTo("https://registry.example.com");
    // Each proxy appends its own; the first is what the client asked for.
    assertThat(base(HttpFields.build().add("X-Forwarded-Proto", "https, http")
        .add("X-Forwarded-Host", "registry.example.com:8443, internal:5000")))
        .isEqualTo("https://registry.example.com:8443");
  }

  @Test
  void theForwardedHeaderCountsWhenNoXForwardedHeaderSaysOtherwise() {
    HttpFields.Mutable forwarded = HttpFields.build()
        .add("Forwarded", "for=192.0.2.60;proto=https;host=\"registry.example.com:8443\", for=10.0.0.1;proto=http");
    assertThat(base(forwarded)).isEqualTo("https://registry.example.com:8443");
    assertThat(base(HttpFields.build().add("Forwarded", "for=192.0.2.60;Proto=https")))
        .isEqualTo("https://127.0.0.1:5000");
    assertThat(base(forwarded.add("X-Forwarded-Host", "other.example.com"))).isEqualTo("https://other.example.com");
  }

  @Test
  void valuesThatAreNoSchemeOrHostAreIgnored() {
    assertThat(base(HttpFields.build().add("X-Forwarded-Proto", "javascript")
        .add("X-Forwarded-Host", "evil\",scope=\"repository:x:push")))
        .isEqualTo("http://127.0.0.1:5000");
    assertThat(base(HttpFields.build().add("X-Forwarded-Host", "[2001:db8::1]:8443")))
        .isEqualTo("http://[2001:db8::1]:8443");
    assertThat(base(HttpFields.build().add("X-Forwarded-Host", "registry.example.com/path")))
        .isEqualTo("http://127.0.0.1:5000");
  }
}
