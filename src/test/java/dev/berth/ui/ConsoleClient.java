package dev.berth.ui;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser without a browser: form posts and page loads against the console, keeping the session
 * cookie the way a browser would and following no redirects, so tests see every 303.
 */
final class ConsoleClient {
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final URI base;
  /** What the client sends as {@code Cookie}: the login token's cookie, then the session's. */
  private Optional<String> cookies = Optional.empty();

  ConsoleClient(URI base) {
    this.base = base;
  }

  /**
   * Loads the sign-in form (which sets the login token's cookie), submits it, and keeps the session
   * cookie; returns the login response.
   */
  HttpResponse<String> login(String user, String password) throws Exception {
    HttpResponse<String> form = get("/ui/login");
    cookies = cookie(form, LoginController.LOGIN_COOKIE).map(c -> c.split(";", 2)[0]);
    HttpResponse<String> response = post("/ui/login",
        Map.of("username", user, "password", password, "csrf", csrfOf(form.body())));
    cookies = sessionCookie(response).map(c -> c.split(";", 2)[0]);
    return response;
  }

  /** The same browser, its requests now reaching another server (as a load balancer may send them). */
  ConsoleClient at(URI otherBase) {
    ConsoleClient moved = new ConsoleClient(otherBase);
    moved.cookies = cookies;
    return moved;
  }

  static Optional<String> sessionCookie(HttpResponse<String> response) {
    return cookie(response, LoginController.COOKIE).filter(c -> !c.startsWith(LoginController.COOKIE + "=;"));
  }

  private static Optional<String> cookie(HttpResponse<String> response, String name) {
    return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
    return post(path, List.copyOf(fields.entrySet()));
  }

  /** A form whose fields may repeat, as several checked boxes of one name do. */
  HttpResponse<String> post(String path, List<Map.Entry<String, String>> fields) throws Exception {
    String body = fields.stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
    return http.send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts the fields plus the CSRF token the page at {@code formPage} holds, as submitting its form does. */
  HttpResponse<String> submit(String formPage, String action, Map<String, String> fields) throws Exception {
    Map<String, String> withToken = new LinkedHashMap<>(fields);
    withToken.put("csrf", csrfOf(get(formPage).body()));
    return post(action, withToken);
  }

  /** The page a form's 303 leads to, loaded as a browser does after the POST. */
  HttpResponse<String> follow(HttpResponse<String> redirect) throws Exception {
    if (redirect.statusCode() != 303) {
      throw new AssertionError("expected a redirect, got " + redirect.statusCode() + ":\n" + redirect.body());
    }
    return get(redirect.headers().firstValue("Location").orElseThrow());
  }

  static String csrfOf(String page) {
    Matcher m = CSRF.matcher(page);
    if (!m.find()) {
      throw new AssertionError("no CSRF token on the page:\n" + page);
    }
    return m.group(1);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path));
    cookies.ifPresent(cookie -> builder.header("Cookie", cookie));
    return builder;
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
