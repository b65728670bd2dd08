package dev.berth.ui;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The console's URLs. Names and references go in query strings, encoded, never into a path. */
final class Links {
  static final String HOME = "/ui/";
  static final String LOGIN = "/ui/login";
  static final String USERS = "/ui/users";
  static final String ACCOUNT = "/ui/account";
  static final String GC = "/ui/gc";
  static final String REPOSITORIES = "/ui/repositories";

  private Links() {}

  static String repository(String name) {
    return "/ui/repository?name=" + encode(name);
  }

  /** The list's pages: the page number goes at the end. */
  static String repositories(String query) {
    return "/ui/repositories?q=" + encode(query) + "&page=";
  }

  static String artifact(String repository, String digest) {
    return "/ui/artifact?repository=" + encode(repository) + "&digest=" + encode(digest);
  }

  static String namespace(String name) {
    return "/ui/namespace?name=" + encode(name);
  }

  static String repositoryAfterDelete(String name, DeletedNotice notice) {
    return repository(name) + notice.query();
  }

  static String delete(String repository, String reference) {
    return "/ui/delete?repository=" + encode(repository) + "&reference=" + encode(reference);
  }

  /** The combined preview of every untagged image, or every manifest, of the repository. */
  static String deleteMany(String repository, DeleteController.Scope scope) {
    return "/ui/delete/many?repository=" + encode(repository) + "&scope=" + scope.id;
  }

  static String run(String id) {
    return "/ui/gc/run?id=" + encode(id);
  }

  static String policy(String namespace) {
    return "/ui/policy?namespace=" + encode(namespace);
  }

  static String retentionRun(String id) {
    return "/ui/retention/run?id=" + encode(id);
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
