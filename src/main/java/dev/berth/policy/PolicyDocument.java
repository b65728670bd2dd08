package dev.berth.policy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A namespace's policy as a document: YAML for the CLI, the same shape as JSON for the API (read by
 * the same parser, JSON being YAML's subset). An invalid document is refused whole, with every
 * problem found, each named by its path ({@code retention.rules[1].keep: ...}).
 */
public final class PolicyDocument {
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final Set<String> TOP_KEYS = Set.of("retention", "immutable", "quota");
  private static final Set<String> RETENTION_KEYS = Set.of("schedule", "rules");
  private static final Set<String> RULE_KEYS = Set.of("repositories", "tags", "untagged", "keep");
  private static final Set<String> IMMUTABLE_KEYS = Set.of("repositories", "tags");
  private static final List<String> KEEP_KEYS =
      List.of("mostRecentlyPushed", "mostRecentlyPulled", "pushedWithinDays", "pulledWithinDays", "always");

  private PolicyDocument() {}

  /** Reads a YAML or JSON document; throws {@link InvalidPolicyException} with every problem in it. */
  public static NamespacePolicy read(String text) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JacksonException e) {
      // The YAML parser's messages run over several lines, with a caret under the source: one line here.
      String reason = e.getOriginalMessage().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.equals("^"))
          .collect(Collectors.joining(" "));
      throw new InvalidPolicyException("not a valid document" + where(e.getLocation()) + ": " + reason);
    }
    Reader reader = new Reader();
    NamespacePolicy policy = reader.policy(root);
    if (!reader.problems.isEmpty()) {
      throw new InvalidPolicyException(reader.problems);
    }
    return policy;
  }

  public static String toYaml(NamespacePolicy policy) {
    return write(YAML, policy);
  }

  public static String toJson(NamespacePolicy policy) {
    return write(JSON, policy);
  }

  /** The document as a tree, for an API that embeds it in a larger JSON body. */
  public static ObjectNode toTree(NamespacePolicy policy) {
    ObjectNode root = NODES.objectNode();
    Retention retention = policy.retention();
    if (!retention.equals(Retention.NONE)) {
      ObjectNode node = root.putObject("retention");
      retention.schedule().ifPresent(s -> node.put("schedule", s.expression()));
      ArrayNode rules = node.putArray("rules");
      for (RetentionRule rule : retention.rules()) {
        ObjectNode r = rules.addObject();
        patterns(r, "repositories", rule.repositories());
        patterns(r, "tags", rule.tags());
        if (rule.untagged()) {
          r.put("untagged", true);
        }
        ObjectNode keep = r.putObject("keep");
        switch (rule.keep()) {
          case Keep.MostRecentlyPushed k -> keep.put(k.key(), k.count());
          case Keep.MostRecentlyPulled k -> keep.put(k.key(), k.count());
          case Keep.PushedWithinDays k -> keep.put(k.key(), k.days());
          case Keep.PulledWithinDays k -> keep.put(k.key(), k.days());
          case Keep.Always k -> keep.put(k.key(), true);
        }
      }
    }
    if (!policy.immutable().isEmpty()) {
      ArrayNode immutable = root.putArray("immutable");
      for (ImmutableRule rule : policy.immutable()) {
        ObjectNode r = immutable.addObject();
        patterns(r, "repositories", rule.repositories());
        patterns(r, "tags", rule.tags());
      }
    }
    policy.quota().ifPresent(q -> root.put("quota", q.toString()));
    return root;
  }

  private static void patterns(ObjectNode node, String key, PatternSet patterns) {
    ArrayNode array = node.putArray(key);
    patterns.written().forEach(array::add);
  }

  private static String write(ObjectMapper mapper, NamespacePolicy policy) {
    try {
      return mapper.writeValueAsString(toTree(policy));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a policy tree always serializes", e);
    }
  }

  private static String where(JsonLocation location) {
    return location == null || location.getLineNr() < 1
        ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }

  /** One pass over the tree, collecting problems instead of stopping at the first. */
  private static final class Reader {
    final List<String> problems = new ArrayList<>();

    NamespacePolicy policy(JsonNode root) {
      if (root == null || root.isMissingNode() || root.isNull()) {
        return NamespacePolicy.NONE;
      }
      if (!object(root, "", TOP_KEYS)) {
        return null;
      }
      Retention retention = root.has("retention") ? retention(root.get("retention")) : Retention.NONE;
      List<ImmutableRule> immutable = new ArrayList<>();
      JsonNode immutableNode = root.get("immutable");
      if (immutableNode != null && array(immutableNode, "immutable")) {
        for (int i = 0; i < immutableNode.size(); i++) {
          immutable.add(immutableRule(immutableNode.get(i), "immutable[" + i + "]"));
        }
      }
      Optional<ByteSize> quota = root.has("quota") ? Optional.ofNullable(quota(root.get("quota"))) : Optional.empty();
      if (!problems.isEmpty()) {
        return null;
      }
      return build("", () -> new NamespacePolicy(retention, immutable, quota));
    }

    Retention retention(JsonNode node) {
      if (!object(node, "retention", RETENTION_KEYS)) {
        return null;
      }
      JsonNode scheduleNode = node.get("schedule");
      CronSchedule schedule = scheduleNode != null && text(scheduleNode, "retention.schedule")
          ? build("retention.schedule", () -> new CronSchedule(scheduleNode.textValue()))
          : null;
      boolean scheduleRead = scheduleNode == null || schedule != null;
      List<RetentionRule> rules = new ArrayList<>();
      JsonNode rulesNode = node.get("rules");
      boolean rulesRead = rulesNode == null || array(rulesNode, "retention.rules");
      if (rulesNode != null && rulesRead) {
        for (int i = 0; i < rulesNode.size(); i++) {
          rules.add(rule(rulesNode.get(i), "retention.rules[" + i + "]"));
        }
      }
      if (!scheduleRead || !rulesRead || rules.contains(null)) {
        return null;
      }
      return build("retention", () -> new Retention(Optional.ofNullable(schedule), rules));
    }

    RetentionRule rule(JsonNode node, String path) {
      if (!object(node, path, RULE_KEYS)) {
        return null;
      }
      PatternSet repositories = patterns(node, "repositories", path);
      PatternSet tags = patterns(node, "tags", path);
      boolean untagged = false;
      JsonNode untaggedNode = node.get("untagged");
      if (untaggedNode != null) {
        if (untaggedNode.isBoolean()) {
          untagged = untaggedNode.booleanValue();
        } else {
          problems.add(path + ".untagged: must be true or false");
        }
      }
      Keep keep = keep(node.get("keep"), path + ".keep");
      if (repositories == null || tags == null || keep == null) {
        return null;
      }
      boolean finalUntagged = untagged;
      return build(path, () -> new RetentionRule(repositories, tags, finalUntagged, keep));
    }

    Keep keep(JsonNode node, String path) {
      if (node == null) {
        problems.add(path + ": missing (one of " + String.join(", ", KEEP_KEYS) + ")");
        return null;
      }
      if (!object(node, path, Set.copyOf(KEEP_KEYS))) {
        return null;
      }
      List<String> criteria = KEEP_KEYS.stream().filter(node::has).toList();
      if (criteria.size() != 1) {
        problems.add(path + (criteria.isEmpty()
            ? ": needs one criterion, one of " + String.join(", ", KEEP_KEYS)
            : ": exactly one criterion, found " + String.join(" and ", criteria)));
        return null;
      }
      String key = criteria.getFirst();
      JsonNode value = node.get(key);
      String valuePath = path + "." + key;
      if (key.equals("always")) {
        if (!value.isBoolean() || !value.booleanValue()) {
          problems.add(valuePath + ": must be true (a rule that keeps nothing is mostRecentlyPushed: 0)");
          return null;
        }
        return new Keep.Always();
      }
      if (!value.isIntegralNumber() || !value.canConvertToInt()) {
        problems.add(valuePath + ": must be a whole number, was " + value);
        return null;
      }
      int n = value.intValue();
      return build(path, () -> switch (key) {
        case "mostRecentlyPushed" -> new Keep.MostRecentlyPushed(n);
        case "mostRecentlyPulled" -> new Keep.MostRecentlyPulled(n);
        case "pushedWithinDays" -> new Keep.PushedWithinDays(n);
        default -> new Keep.PulledWithinDays(n);
      });
    }

    ImmutableRule immutableRule(JsonNode node, String path) {
      if (!object(node, path, IMMUTABLE_KEYS)) {
        return null;
      }
      PatternSet repositories = patterns(node, "repositories", path);
      PatternSet tags = patterns(node, "tags", path);
      return repositories == null || tags == null ? null : new ImmutableRule(repositories, tags);
    }

    PatternSet patterns(JsonNode parent, String key, String parentPath) {
      String path = parentPath + "." + key;
      JsonNode node = parent.get(key);
      if (node == null) {
        problems.add(path + ": missing (a list of patterns)");
        return null;
      }
      if (!array(node, path)) {
        return null;
      }
      List<String> written = new ArrayList<>();
      boolean allText = true;
      for (int i = 0; i < node.size(); i++) {
        allText &= text(node.get(i), path + "[" + i + "]");
        written.add(node.get(i).asText());
      }
      return allText
          ? build(path, () -> key.equals("tags") ? PatternSet.tags(written) : PatternSet.repositories(written))
          : null;
    }

    ByteSize quota(JsonNode node) {
      if (!node.isTextual()) {
        problems.add("quota: must be a size with a unit, one of B, KiB, MiB, GiB, TiB (20GiB), was " + node);
        return null;
      }
      return build("quota", () -> ByteSize.parse(node.textValue()));
    }

    /** Builds a value, turning its refusal into problems at {@code path}. */
    <T> T build(String path, Supplier<T> value) {
      try {
        return value.get();
      } catch (InvalidPolicyException e) {
        for (String problem : e.problems()) {
          problems.add(path.isEmpty() ? problem : path + (problem.startsWith("[") ? "" : ": ") + problem);
        }
        return null;
      }
    }

    boolean object(JsonNode node, String path, Set<String> keys) {
      if (!node.isObject()) {
        problems.add((path.isEmpty() ? "the document" : path) + ": must be a mapping");
        return false;
      }
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!keys.contains(name)) {
          problems.add((path.isEmpty() ? "" : path + ".") + name + ": unknown key (expected one of "
              + String.join(", ", keys.stream().sorted().toList()) + ")");
        }
      }
      return true;
    }

    boolean array(JsonNode node, String path) {
      if (!node.isArray()) {
        problems.add(path + ": must be a list");
        return false;
      }
      return true;
    }

    boolean text(JsonNode node, String path) {
      if (!node.isTextual()) {
        problems.add(path + ": must be a string, was " + node);
        return false;
      }
      return true;
    }
  }
}
