package dev.berth.http;

import dev.berth.auth.Administration;
import dev.berth.auth.Principal;
import dev.berth.cleanup.Policies;
import dev.berth.oci.InvalidNameException;
import dev.berth.policy.ByteSize;
import dev.berth.policy.InvalidPolicyException;
import dev.berth.policy.PolicyDocument;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;

/**
 * A namespace's policy under {@code /api/v1/namespaces/<namespace>/policy}, and its storage usage
 * under {@code .../usage} (GET only). GET of the policy answers it as JSON
 * (the body a PUT takes, so a script can fetch, edit and put it back), PUT sets it from JSON, or
 * YAML with {@code Content-Type: application/yaml}, DELETE removes it. Who may is who manages the
 * namespace ({@link Administration#requireManage}). An invalid document is refused whole, with
 * every problem listed in {@code problems}.
 */
final class PolicyEndpoints {
  private static final Pattern POLICY = Pattern.compile("^/api/v1/namespaces/([^/]+)/policy$");
  private static final Pattern USAGE = Pattern.compile("^/api/v1/namespaces/([^/]+)/usage$");

  private final Administration administration;
  private final Policies policies;

  PolicyEndpoints(Administration administration, Policies policies) {
    this.administration = administration;
    this.policies = policies;
  }

  /** Handles the request when it is for a namespace's policy or usage; false otherwise. */
  boolean handle(Exchange ex, String path, Principal actor) throws IOException {
    Matcher usage = USAGE.matcher(path);
    if (usage.matches()) {
      ex.route("admin_namespace_usage");
      administration.requireManage(actor, usage.group(1));
      if (!ex.method().equals("GET")) {
        throw new AdminError(405, "use GET");
      }
      showUsage(ex, usage.group(1));
      return true;
    }
    Matcher policy = POLICY.matcher(path);
    if (!policy.matches()) {
      return false;
    }
    ex.route("admin_namespace_policy");
    String namespace = policy.group(1);
    administration.requireManage(actor, namespace);
    switch (ex.method()) {
      case "GET" -> show(ex, namespace);
      case "PUT" -> set(ex, namespace, actor);
      case "DELETE" -> {
        if (!policies.remove(namespace, actor.name())) {
          throw noPolicy(namespace);
        }
        ex.empty(204);
      }
      default -> throw new AdminError(405, "use GET, PUT or DELETE");
    }
    return true;
  }

  private void show(Exchange ex, String namespace) throws IOException {
    Policies.Current current = policies.find(namespace).orElseThrow(() -> noPolicy(namespace));
    ex.header(HttpHeader.LAST_MODIFIED,
        DateTimeFormatter.RFC_1123_DATE_TIME.format(current.stored().updatedAt().atOffset(ZoneOffset.UTC)));
    ex.json(200, PolicyDocument.toTree(current.policy()));
  }

  /** {@code quotaBytes} is null when the namespace has no quota. */
  private void showUsage(Exchange ex, String namespace) throws IOException {
    Policies.Usage usage;
    try {
      usage = policies.usage(namespace);
    } catch (InvalidNameException e) {
      throw new AdminError(400, e.getMessage());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("namespace", usage.namespace());
    body.put("usageBytes", usage.bytes());
    body.put("quotaBytes", usage.quota().map(ByteSize::bytes).orElse(null));
    ex.json(200, body);
  }

  private void set(Exchange ex, String namespace, Principal actor) throws IOException {
    String contentType = ex.requestHeader(HttpHeader.CONTENT_TYPE);
    boolean yaml = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/yaml");
    String document = AdminError.readText(ex);
    if (document.isBlank()) {
      throw new AdminError(400, "send the policy document as the body ({} for a policy with no rules)");
    }
    if (!yaml) {
      // JSON is YAML's subset, but a body declared JSON that is only YAML would be accepted by mistake.
      AdminError.parseJson(ex.mapper(), document);
    }
    try {
      policies.set(namespace, document, actor.name());
    } catch (InvalidPolicyException e) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", "the policy is invalid, nothing changed: " + e.getMessage());
      body.put("problems", e.problems());
      ex.json(400, body);
      return;
    } catch (InvalidNameException e) {
      throw new AdminError(400, e.getMessage());
    }
    ex.empty(204);
  }

  private static AdminError noPolicy(String namespace) {
    return new AdminError(404, namespace + " has no policy");
  }
}
