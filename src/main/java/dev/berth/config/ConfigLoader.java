package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
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

  private final ObjectMapper yaml = yamlMapper();

  /**
   * An empty YAML value is a null. For a section ({@code log:} with every key under it commented
   * out) that means its defaults, and {@code auth:} stays absent; for a value ({@code level:}) it is
   * a bad value, since the validation below relies on every value being there.
   */
  private static ObjectMapper yamlMapper() {
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .setDefaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL));
    for (Class<?> section : BerthConfig.class.getClasses()) {
      mapper.configOverride(section).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP));
    }
    return mapper;
  }

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
    if (c.storage.filesystem.rootdirectory.isBlank()) {
      throw new ConfigException("invalid value for 'storage.filesystem.rootdirectory': must not be empty");
    }
    Path root = path("storage.filesystem.rootdirectory", c.storage.filesystem.rootdirectory);
    if (c.storage.manifests.maxsize < 1024) {
      throw new ConfigException("invalid value for 'storage.manifests.maxsize': must be at least 1024 bytes");
    }
    Settings.Database database = switch (c.database.driver.toLowerCase(Locale.ROOT)) {
      case "sqlite" -> new Settings.Sqlite(
          c.database.url.isBlank() ? root.resolve("berth/metadata.db") : path("database.url", c.database.url));
      case "postgres", "postgresql" -> {
        if (c.database.url.isBlank()) {
          throw new ConfigException("'database.url' is required with the postgres driver");
        }
        yield new Settings.Postgres(c.database.url, c.database.user, c.database.password, c.database.maxConnections);
      }
      default -> throw new ConfigException(
          "invalid value for 'database.driver': " + c.database.driver + " (use sqlite or postgres)");
    };
    return new Settings(hostPort[0], port, drain, root, c.storage.delete.enabled, c.storage.manifests.maxsize,
        database, level, !c.log.accesslog.disabled, gc(c.gc), auth(c.auth, environment));
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
    Optional<Path> htpasswd = auth.htpasswd.path.isBlank()
        ? Optional.empty() : Optional.of(path("auth.htpasswd.path", auth.htpasswd.path));
    Optional<String> password = Optional.ofNullable(environment.get("BERTH_ADMIN_PASSWORD"))
        .or(() -> Optional.of(auth.admin.password))
        .filter(p -> !p.isEmpty());
    return Optional.of(new Settings.Auth(
        Optional.of(auth.token.realm).filter(r -> !r.isBlank()),
        auth.token.service,
        lifetime,
        htpasswd,
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

  /** A NUL character, for one, is no file name. */
  private static Path path(String key, String value) throws ConfigException {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new ConfigException("invalid value for '" + key + "': " + e.getMessage());
    }
  }

  private static String[] splitAddress(String addr) throws ConfigException {
    int colon = addr.lastIndexOf(':');
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
