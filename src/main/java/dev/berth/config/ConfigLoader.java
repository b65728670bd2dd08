package dev.berth.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.berth.policy.CronSchedule;
import dev.berth.policy.InvalidPolicyException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Reads the YAML file, applies {@code REGISTRY_*} environment overrides the way Docker Registry
 * does ({@code REGISTRY_STORAGE_DELETE_ENABLED=true} sets {@code storage.delete.enabled}), and
 * validates. Every error names the key it is about.
 */
public final class ConfigLoader {
  private static final String ENV_PREFIX = "REGISTRY_";
  private static final Set<String> LOG_LEVELS = Set.of("error", "warn", "info", "debug", "trace", "panic", "fatal");
  /** The digest guard takes two of them at least, and the transactions need two. */
  private static final int MIN_POSTGRES_CONNECTIONS = 4;

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  public Settings load(Optional<Path> file, Map<String, String> environment) throws ConfigException {
    ObjectNode tree = file.isPresent() ? readFile(file.get()) : JsonNodeFactory.instance.objectNode();
    Problems problems = new Problems();
    applyEnvironment(tree, environment, problems);
    checkAgainstModel(tree, BerthConfig.class, "", problems);
    BerthConfig config = bind(tree);
    Settings settings = validate(config, environment, problems);
    problems.throwIfAny();
    return settings;
  }

  private ObjectNode readFile(Path file) throws ConfigException {
    try {
      JsonNode node = yaml.readTree(Files.readAllBytes(file));
      if (node == null || node.isMissingNode() || node.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!node.isObject()) {
        throw new ConfigException(file + ": the configuration must be a YAML mapping");
      }
      return (ObjectNode) node;
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /** Environment keys are matched against the model's keys, so {@code ROOTDIRECTORY} finds {@code rootdirectory}. */
  private static void applyEnvironment(ObjectNode tree, Map<String, String> environment, Problems problems) {
    Map<String, String> sorted = new TreeMap<>(environment);
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX)) {
        continue;
      }
      List<String> path = List.of(e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("_"));
      if (!ConfigKeys.isKnown(path)) {
        // Fetched here, not in a static field: the first fetch initialises logback (about 30 ms),
        // which a `berth gc` that only hands its run to a server has no other use for.
        LoggerFactory.getLogger(ConfigLoader.class).warn("ignoring unrecognized environment variable {}", e.getKey());
        continue;
      }
      ObjectNode node = tree;
      for (String segment : path.subList(0, path.size() - 1)) {
        JsonNode child = node.get(segment);
        if (child == null || !child.isObject()) {
          child = node.putObject(segment);
        }
        node = (ObjectNode) child;
      }
      node.put(path.getLast(), e.getValue());
      problems.setByVariable(String.join(".", path), e.getKey());
    }
  }

  /**
   * Checks every key and scalar of the tree against the model before binding, so that each bad key
   * or value is reported (the binder stops at the first), in words about the key rather than Java
   * types. Values written as text (every environment value is) become the model's booleans and
   * numbers here; an empty section means its defaults.
   */
  private static void checkAgainstModel(ObjectNode node, Class<?> type, String prefix, Problems problems) {
    for (String name : iterable(node.fieldNames())) {
      String key = prefix + name;
      java.lang.reflect.Field field = ConfigKeys.field(type, name);
      JsonNode value = node.get(name);
      Optional<ConfigException> problem = Optional.empty();
      if (field == null) {
        problem = Optional.of(new ConfigException("unknown configuration key '" + key + "'"));
      } else if (ConfigKeys.isSection(field.getType())) {
        if (value.isNull() && field.getType() == BerthConfig.Auth.class) {
          // As in Docker Registry, an empty auth section configures no access control.
          node.remove(name);
        } else if (value.isNull()) {
          node.putObject(name);
        } else if (value.isObject()) {
          checkAgainstModel((ObjectNode) value, field.getType(), key + ".", problems);
        } else {
          problem = Optional.of(problems.invalid(key, "must be a section of keys, not a single value"));
        }
      } else if (value.isNull()) {
        problem = Optional.of(problems.invalid(key, "has no value"));
      } else if (!value.isValueNode()) {
        problem = Optional.of(problems.invalid(key, "must be a single value, not a list or a section"));
      } else if (field.getType() == boolean.class) {
        String text = value.asText().toLowerCase(Locale.ROOT);
        if (text.equals("true") || text.equals("false")) {
          node.put(name, text.equals("true"));
        } else {
          problem = Optional.of(problems.invalid(key, quoted(value) + " is not a boolean (true or false)"));
        }
      } else if (field.getType() == int.class || field.getType() == long.class) {
        try {
          if (field.getType() == int.class) {
            node.put(name, Integer.parseInt(value.asText().trim()));
          } else {
            node.put(name, Long.parseLong(value.asText().trim()));
          }
        } catch (NumberFormatException e) {
          problem = Optional.of(problems.invalid(key, quoted(value) + " is not a whole number"));
        }
      } else {
        node.put(name, value.asText());
      }
      // Reported, then dropped: the key's default stands in, so that every other key is still
      // checked and all the problems are reported together.
      problem.ifPresent(p -> {
        problems.add(p);
        node.remove(name);
      });
    }
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
    List<T> all = new ArrayList<>();
    iterator.forEachRemaining(all::add);
    return all;
  }

  private static String quoted(JsonNode value) {
    return "\"" + value.asText() + "\"";
  }

  private BerthConfig bind(ObjectNode tree) throws ConfigException {
    try {
      return yaml.treeToValue(tree, BerthConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException("unknown configuration key '" + keyOf(e) + "'");
    } catch (JsonMappingException e) {
      throw new ConfigException("invalid value for '" + keyOf(e) + "': " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("invalid configuration: " + e.getMessage());
    }
  }

  private static String keyOf(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private record Address(String host, int port) {}

  private static Settings validate(BerthConfig c, Map<String, String> environment, Problems problems) {
    problems.check(() -> {
      if (!"0.1".equals(c.version)) {
        throw problems.invalid("version", "only 0.1 is supported, got '" + c.version + "'");
      }
      return c.version;
    }, "0.1");
    String level = problems.check(() -> {
      String lower = c.log.level.toLowerCase(Locale.ROOT);
      if (!LOG_LEVELS.contains(lower)) {
        throw problems.invalid("log.level", c.log.level + " (use error, warn, info or debug)");
      }
      return lower;
    }, "info");
    Address address = problems.check(() -> address(c.http.addr, problems), new Address("127.0.0.1", 0));
    Duration drain = problems.check(() -> duration("http.draintimeout", c.http.draintimeout, problems), Duration.ZERO);
    Path root = problems.check(() -> dataDirectory(c, problems), Path.of("."));
    Settings.Blobs blobs = problems.check(() -> c.storage.s3 == null ? new Settings.LocalBlobs()
        : s3(c.storage.s3, !c.storage.redirect.disable, problems), new Settings.LocalBlobs());
    problems.check(() -> {
      if (c.storage.manifests.maxsize < 1024) {
        throw problems.invalid("storage.manifests.maxsize", "must be at least 1024 bytes");
      }
      return c.storage.manifests.maxsize;
    }, 0);
    Settings.Database database = problems.check(() -> database(c.database, root, problems), null);
    Settings.Gc gc = problems.check(() -> gc(c.gc, problems), Settings.Gc.defaults());
    Optional<Settings.Auth> auth = problems.check(() -> auth(c.auth, environment, problems), Optional.empty());
    Optional<Settings.Tls> tls = problems.check(() -> tls(c.http.tls, problems), Optional.empty());
    Optional<URI> externalUrl = problems.check(() -> externalUrl(c.http.host, problems), Optional.empty());
    return new Settings(address.host(), address.port(), drain, root, blobs, c.storage.delete.enabled,
        c.storage.manifests.maxsize, database, level, !c.log.accesslog.disabled, gc, c.scheduler.enabled, auth, tls,
        externalUrl);
  }

  private static Settings.Database database(BerthConfig.Database db, Path root, Problems problems)
      throws ConfigException {
    return switch (db.driver.toLowerCase(Locale.ROOT)) {
      case "sqlite" -> new Settings.Sqlite(
          db.url.isBlank() ? root.resolve("berth/metadata.db") : path("database.url", db.url, problems));
      case "postgres", "postgresql" -> {
        if (db.url.isBlank()) {
          throw new ConfigException(problems.subject("database.url") + " is required with the postgres driver");
        }
        if (db.maxConnections < MIN_POSTGRES_CONNECTIONS) {
          // A quarter (at least two) hold the digest guard's locks; the rest run the transactions.
          throw problems.invalid("database.maxconnections", "at least " + MIN_POSTGRES_CONNECTIONS + ", got "
              + db.maxConnections);
        }
        yield new Settings.Postgres(db.url, db.user, db.password, db.maxConnections);
      }
      default -> throw problems.invalid("database.driver", db.driver + " (use sqlite or postgres)");
    };
  }

  /** Both files or neither; their contents are read when the server starts ({@link TlsKeyStore}). */
  private static Optional<Settings.Tls> tls(BerthConfig.Tls tls, Problems problems) throws ConfigException {
    boolean certificate = !tls.certificate.isBlank();
    boolean key = !tls.key.isBlank();
    if (certificate != key) {
      throw new ConfigException(problems.subject(certificate ? "http.tls.key" : "http.tls.certificate")
          + " is required with " + problems.subject(certificate ? "http.tls.certificate" : "http.tls.key"));
    }
    return certificate ? Optional.of(new Settings.Tls(path("http.tls.certificate", tls.certificate, problems),
        path("http.tls.key", tls.key, problems))) : Optional.empty();
  }

  /** Docker Registry's {@code http.host}: a scheme and an authority, nothing else. */
  private static Optional<URI> externalUrl(String host, Problems problems) throws ConfigException {
    if (host.isBlank()) {
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(host.strip());
    } catch (URISyntaxException e) {
      throw problems.invalid("http.host", e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
        && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || !bare) {
      throw problems.invalid("http.host", "expected http(s)://host[:port], got '" + host + "'");
    }
    return Optional.of(URI.create(scheme + "://" + uri.getRawAuthority()));
  }

  /**
   * Berth's own files (SQLite, the serve lock, the token key): under the filesystem store's root, or,
   * with blobs in S3, under {@code datadirectory}. Exactly one store is configured.
   */
  private static Path dataDirectory(BerthConfig c, Problems problems) throws ConfigException {
    if (c.storage.filesystem != null && c.storage.s3 != null) {
      throw new ConfigException("configure exactly one of 'storage.filesystem' and 'storage.s3', not both");
    }
    if (c.storage.s3 != null) {
      return path("datadirectory", c.datadirectory == null ? "./data" : required("datadirectory", c.datadirectory,
          problems), problems);
    }
    if (c.datadirectory != null) {
      throw new ConfigException(problems.subject("datadirectory") + " applies only with 'storage.s3'; with the "
          + "filesystem, Berth's files live under 'storage.filesystem.rootdirectory'");
    }
    BerthConfig.Filesystem filesystem = c.storage.filesystem == null ? new BerthConfig.Filesystem() : c.storage.filesystem;
    return path("storage.filesystem.rootdirectory",
        required("storage.filesystem.rootdirectory", filesystem.rootdirectory, problems), problems);
  }

  /** S3's smallest part but the last, and its largest part. */
  private static final long MIN_CHUNK_SIZE = 5L << 20;
  private static final long MAX_CHUNK_SIZE = 5L << 30;

  private static Settings.S3Blobs s3(BerthConfig.S3 s3, boolean redirect, Problems problems) throws ConfigException {
    String region = required("storage.s3.region", s3.region, problems);
    String bucket = required("storage.s3.bucket", s3.bucket, problems);
    Optional<URI> endpoint = Optional.empty();
    if (s3.regionendpoint != null && !s3.regionendpoint.isBlank()) {
      try {
        URI uri = new URI(s3.regionendpoint.trim());
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
          throw problems.invalid("storage.s3.regionendpoint", "expected an http:// or https:// URL, got '"
              + s3.regionendpoint + "'");
        }
        endpoint = Optional.of(uri);
      } catch (URISyntaxException e) {
        throw problems.invalid("storage.s3.regionendpoint", e.getMessage());
      }
    }
    Optional<String> accessKey = Optional.ofNullable(s3.accesskey).filter(k -> !k.isBlank());
    Optional<String> secretKey = Optional.ofNullable(s3.secretkey).filter(k -> !k.isBlank());
    if (accessKey.isPresent() != secretKey.isPresent()) {
      String missing = accessKey.isPresent() ? "storage.s3.secretkey" : "storage.s3.accesskey";
      String given = accessKey.isPresent() ? "storage.s3.accesskey" : "storage.s3.secretkey";
      throw new ConfigException(problems.subject(missing) + " is required with " + problems.subject(given));
    }
    if (s3.chunksize < MIN_CHUNK_SIZE || s3.chunksize > MAX_CHUNK_SIZE) {
      throw problems.invalid("storage.s3.chunksize", "S3 parts are between 5 MiB (" + MIN_CHUNK_SIZE
          + " bytes) and 5 GiB, got " + s3.chunksize);
    }
    return new Settings.S3Blobs(region, endpoint, bucket, s3.rootdirectory == null ? "" : s3.rootdirectory,
        accessKey, secretKey, s3.forcepathstyle, s3.chunksize, redirect);
  }

  private static String required(String key, String value, Problems problems) throws ConfigException {
    if (value == null || value.isBlank()) {
      throw new ConfigException(problems.subject(key) + " is required and must not be empty");
    }
    return value;
  }

  /** {@code BERTH_ADMIN_PASSWORD} in the environment beats the file, so the secret need not be in it. */
  private static Optional<Settings.Auth> auth(BerthConfig.Auth auth, Map<String, String> environment,
      Problems problems) throws ConfigException {
    if (auth == null) {
      return Optional.empty();
    }
    Duration lifetime = duration("auth.token.expiration", auth.token.expiration, problems);
    if (lifetime.isZero() || lifetime.compareTo(Duration.ofHours(24)) > 0) {
      throw problems.invalid("auth.token.expiration", "between 1s and 24h");
    }
    Optional<Path> htpasswd = auth.htpasswd.path.isBlank()
        ? Optional.empty() : Optional.of(path("auth.htpasswd.path", auth.htpasswd.path, problems));
    Optional<String> password = Optional.ofNullable(environment.get("BERTH_ADMIN_PASSWORD"))
        .or(() -> Optional.of(auth.admin.password))
        .filter(p -> !p.isEmpty());
    return Optional.of(new Settings.Auth(
        Optional.of(auth.token.realm).filter(r -> !r.isBlank()),
        auth.token.service,
        lifetime,
        htpasswd,
        password,
        auth.token.signingkey.isBlank() ? Optional.empty()
            : Optional.of(path("auth.token.signingkey", auth.token.signingkey, problems))));
  }

  private static Settings.Gc gc(BerthConfig.Gc gc, Problems problems) throws ConfigException {
    Optional<String> schedule = Optional.of(gc.schedule.trim()).filter(s -> !s.isEmpty());
    problems.check(() -> {
      if (schedule.isPresent()) {
        try {
          new CronSchedule(schedule.get());
        } catch (InvalidPolicyException e) {
          throw problems.invalid("gc.schedule", e.getMessage());
        }
      }
      return schedule;
    }, schedule);
    Duration grace = problems.check(() -> duration("gc.grace", gc.grace, problems), Duration.ZERO);
    Duration uploadMaxAge = duration("gc.uploadmaxage", gc.uploadmaxage, problems);
    return new Settings.Gc(schedule, gc.deleteuntagged, grace, uploadMaxAge);
  }

  /** A path no file system can hold (a NUL character) is a bad value, not an exception from deep inside. */
  private static Path path(String key, String value, Problems problems) throws ConfigException {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw problems.invalid(key, e.getMessage());
    }
  }

  private static Duration duration(String key, String value, Problems problems) throws ConfigException {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw problems.invalid(key, e.getMessage());
    }
  }

  private static Address address(String addr, Problems problems) throws ConfigException {
    int colon = addr.lastIndexOf(':');
    if (colon < 0) {
      throw problems.invalid("http.addr", "expected host:port, got '" + addr + "'");
    }
    String host = addr.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(addr.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw problems.invalid("http.addr", "port is not a number in '" + addr + "'");
    }
    if (port < 0 || port > 65535) {
      throw problems.invalid("http.addr", "port out of range in '" + addr + "'");
    }
    return new Address(host.isEmpty() ? "0.0.0.0" : host, port);
  }

  /** Valid key paths, derived from the model, so environment overrides never drift from it. */
  static final class ConfigKeys {
    private static final Set<List<String>> KEYS = collect(BerthConfig.class, new ArrayList<>());

    static boolean isKnown(List<String> path) {
      return KEYS.contains(path);
    }

    /** A nested section of the model (as opposed to a value). */
    static boolean isSection(Class<?> type) {
      return type.getEnclosingClass() == BerthConfig.class;
    }

    /** The model's field for a key in the file, or null when the section has no such key. */
    static java.lang.reflect.Field field(Class<?> section, String key) {
      for (java.lang.reflect.Field field : section.getFields()) {
        com.fasterxml.jackson.annotation.JsonProperty renamed =
            field.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        if (key.equals(renamed != null ? renamed.value() : field.getName())) {
          return field;
        }
      }
      return null;
    }

    private static Set<List<String>> collect(Class<?> type, List<String> prefix) {
      Set<List<String>> keys = new java.util.HashSet<>();
      for (java.lang.reflect.Field field : type.getFields()) {
        com.fasterxml.jackson.annotation.JsonProperty renamed =
            field.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        List<String> path = new ArrayList<>(prefix);
        path.add(renamed != null ? renamed.value() : field.getName());
        Class<?> fieldType = field.getType();
        if (isSection(fieldType)) {
          keys.addAll(collect(fieldType, path));
        } else {
          keys.add(List.copyOf(path));
        }
      }
      return keys;
    }
  }
}
