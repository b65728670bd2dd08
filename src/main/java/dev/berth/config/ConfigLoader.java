package dev.berth.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
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

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  public Settings load(Optional<Path> file, Map<String, String> environment) throws ConfigException {
    ObjectNode tree = file.isPresent() ? readFile(file.get()) : JsonNodeFactory.instance.objectNode();
    applyEnvironment(tree, environment);
    BerthConfig config = bind(tree);
    return validate(config, environment);
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
      throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
    }
  }

  /** Environment keys are matched against the model's keys, so {@code ROOTDIRECTORY} finds {@code rootdirectory}. */
  private static void applyEnvironment(ObjectNode tree, Map<String, String> environment) throws ConfigException {
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
    }
  }

  private BerthConfig bind(ObjectNode tree) throws ConfigException {
    try {
      return yaml.treeToValue(tree, BerthConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException("unknown configuration key '" + keyOf(e) + "'");
    } catch (JsonMappingException e) {
      throw new ConfigException("invalid value for '" + keyOf(e) + "': " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("invalid configuration: " + e.getMessage(), e);
    }
  }

  private static String keyOf(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private static Settings validate(BerthConfig c, Map<String, String> environment) throws ConfigException {
    if (!"0.1".equals(c.version)) {
      throw new ConfigException("invalid value for 'version': only 0.1 is supported, got '" + c.version + "'");
    }
    String level = c.log.level.toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(level)) {
      throw new ConfigException("invalid value for 'log.level': " + c.log.level + " (use error, warn, info or debug)");
    }
    String[] hostPort = splitAddress(c.http.addr);
    int port;
    try {
      port = Integer.parseInt(hostPort[1]);
    } catch (NumberFormatException e) {
      throw new ConfigException("invalid value for 'http.addr': port is not a number in '" + c.http.addr + "'");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException("invalid value for 'http.addr': port out of range in '" + c.http.addr + "'");
    }
    Duration drain = duration("http.draintimeout", c.http.draintimeout);
    if (c.storage.filesystem != null && c.storage.s3 != null) {
      throw new ConfigException("configure exactly one of 'storage.filesystem' and 'storage.s3', not both");
    }
    Path root;
    Settings.Blobs blobs;
    if (c.storage.s3 != null) {
      root = Path.of(c.datadirectory == null ? "./data" : required("datadirectory", c.datadirectory));
      blobs = s3(c.storage.s3, !c.storage.redirect.disable);
    } else {
      if (c.datadirectory != null) {
        throw new ConfigException("'datadirectory' applies only with 'storage.s3'; "
            + "with the filesystem, Berth's files live under 'storage.filesystem.rootdirectory'");
      }
      BerthConfig.Filesystem filesystem = c.storage.filesystem == null ? new BerthConfig.Filesystem() : c.storage.filesystem;
      root = Path.of(required("storage.filesystem.rootdirectory", filesystem.rootdirectory));
      blobs = new Settings.LocalBlobs();
    }
    if (c.storage.manifests.maxsize < 1024) {
      throw new ConfigException("invalid value for 'storage.manifests.maxsize': must be at least 1024 bytes");
    }
    Settings.Database database = switch (c.database.driver.toLowerCase(Locale.ROOT)) {
      case "sqlite" -> new Settings.Sqlite(
          c.database.url.isBlank() ? root.resolve("berth/metadata.db") : Path.of(c.database.url));
      case "postgres", "postgresql" -> {
        if (c.database.url.isBlank()) {
          throw new ConfigException("'database.url' is required with the postgres driver");
        }
        yield new Settings.Postgres(c.database.url, c.database.user, c.database.password, c.database.maxConnections);
      }
      default -> throw new ConfigException(
          "invalid value for 'database.driver': " + c.database.driver + " (use sqlite or postgres)");
    };
    return new Settings(hostPort[0], port, drain, root, blobs, c.storage.delete.enabled, c.storage.manifests.maxsize,
        database, level, !c.log.accesslog.disabled, gc(c.gc), auth(c.auth, environment));
  }

  /** S3's smallest part but the last, and its largest part. */
  private static final long MIN_CHUNK_SIZE = 5L << 20;
  private static final long MAX_CHUNK_SIZE = 5L << 30;

  private static Settings.S3Blobs s3(BerthConfig.S3 s3, boolean redirect) throws ConfigException {
    String region = required("storage.s3.region", s3.region);
    String bucket = required("storage.s3.bucket", s3.bucket);
    Optional<java.net.URI> endpoint = Optional.empty();
    if (s3.regionendpoint != null && !s3.regionendpoint.isBlank()) {
      try {
        java.net.URI uri = new java.net.URI(s3.regionendpoint.trim());
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
          throw new ConfigException("invalid value for 'storage.s3.regionendpoint': expected an http:// or https:// URL, got '"
              + s3.regionendpoint + "'");
        }
        endpoint = Optional.of(uri);
      } catch (java.net.URISyntaxException e) {
        throw new ConfigException("invalid value for 'storage.s3.regionendpoint': " + e.getMessage());
      }
    }
    Optional<String> accessKey = Optional.ofNullable(s3.accesskey).filter(k -> !k.isBlank());
    Optional<String> secretKey = Optional.ofNullable(s3.secretkey).filter(k -> !k.isBlank());
    if (accessKey.isPresent() && secretKey.isEmpty()) {
      throw new ConfigException("'storage.s3.secretkey' is required with 'storage.s3.accesskey'");
    }
    if (secretKey.isPresent() && accessKey.isEmpty()) {
      throw new ConfigException("'storage.s3.accesskey' is required with 'storage.s3.secretkey'");
    }
    if (s3.chunksize < MIN_CHUNK_SIZE || s3.chunksize > MAX_CHUNK_SIZE) {
      throw new ConfigException("invalid value for 'storage.s3.chunksize': S3 parts are between 5 MiB ("
          + MIN_CHUNK_SIZE + " bytes) and 5 GiB, got " + s3.chunksize);
    }
    return new Settings.S3Blobs(region, endpoint, bucket, s3.rootdirectory == null ? "" : s3.rootdirectory,
        accessKey, secretKey, s3.forcepathstyle, s3.chunksize, redirect);
  }

  private static String required(String key, String value) throws ConfigException {
    if (value == null || value.isBlank()) {
      throw new ConfigException("'" + key + "' is required and must not be empty");
    }
    return value;
  }

  /** {@code BERTH_ADMIN_PASSWORD} in the environment beats the file, so the secret need not be in it. */
  private static Optional<Settings.Auth> auth(BerthConfig.Auth auth, Map<String, String> environment)
      throws ConfigException {
    if (auth == null) {
      return Optional.empty();
    }
    Duration lifetime = duration("auth.token.expiration", auth.token.expiration);
    if (lifetime.isZero() || lifetime.compareTo(Duration.ofHours(24)) > 0) {
      throw new ConfigException("invalid value for 'auth.token.expiration': between 1s and 24h");
    }
    Optional<String> password = Optional.ofNullable(environment.get("BERTH_ADMIN_PASSWORD"))
        .or(() -> Optional.of(auth.admin.password))
        .filter(p -> !p.isEmpty());
    return Optional.of(new Settings.Auth(
        Optional.of(auth.token.realm).filter(r -> !r.isBlank()),
        auth.token.service,
        lifetime,
        Optional.of(auth.htpasswd.path).filter(p -> !p.isBlank()).map(Path::of),
        password));
  }

  private static Settings.Gc gc(BerthConfig.Gc gc) throws ConfigException {
    Optional<String> schedule = Optional.of(gc.schedule.trim()).filter(s -> !s.isEmpty());
    if (schedule.isPresent()) {
      try {
        com.cronutils.model.time.ExecutionTime.forCron(new com.cronutils.parser.CronParser(
            com.cronutils.model.definition.CronDefinitionBuilder.instanceDefinitionFor(
                com.cronutils.model.CronType.UNIX)).parse(schedule.get()));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("invalid value for 'gc.schedule': " + e.getMessage());
      }
    }
    return new Settings.Gc(schedule, gc.deleteuntagged, duration("gc.grace", gc.grace),
        duration("gc.uploadmaxage", gc.uploadmaxage));
  }

  private static Duration duration(String key, String value) throws ConfigException {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid value for '" + key + "': " + e.getMessage());
    }
  }

  private static String[] splitAddress(String addr) throws ConfigException {
    int colon = addr == null ? -1 : addr.lastIndexOf(':');
    if (colon < 0) {
      throw new ConfigException("invalid value for 'http.addr': expected host:port, got '" + addr + "'");
    }
    String host = addr.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new String[] {host.isEmpty() ? "0.0.0.0" : host, addr.substring(colon + 1)};
  }

  /** Valid key paths, derived from the model, so environment overrides never drift from it. */
  static final class ConfigKeys {
    private static final Set<List<String>> KEYS = collect(BerthConfig.class, new ArrayList<>());

    static boolean isKnown(List<String> path) {
      return KEYS.contains(path);
    }

    private static Set<List<String>> collect(Class<?> type, List<String> prefix) {
      Set<List<String>> keys = new java.util.HashSet<>();
      for (java.lang.reflect.Field field : type.getFields()) {
        com.fasterxml.jackson.annotation.JsonProperty renamed =
            field.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        List<String> path = new ArrayList<>(prefix);
        path.add(renamed != null ? renamed.value() : field.getName());
        Class<?> fieldType = field.getType();
        if (fieldType.getEnclosingClass() == BerthConfig.class) {
          keys.addAll(collect(fieldType, path));
        } else {
          keys.add(List.copyOf(path));
        }
      }
      return keys;
    }
  }
}
