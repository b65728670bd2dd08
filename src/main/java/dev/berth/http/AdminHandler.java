package dev.berth.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.AccessControl;
import dev.berth.auth.AccessDeniedException;
import dev.berth.auth.Administration;
import dev.berth.auth.NotPermittedException;
import dev.berth.auth.Permissions;
import dev.berth.auth.Principal;
import dev.berth.cleanup.DeletePreview;
import dev.berth.cleanup.GcAlreadyRunningException;
import dev.berth.cleanup.GcOptions;
import dev.berth.cleanup.GcSchedule;
import dev.berth.cleanup.GcReports;
import dev.berth.cleanup.GcService;
import dev.berth.cleanup.Inventory;
import dev.berth.cleanup.Policies;
import dev.berth.cleanup.RetentionRuns;
import dev.berth.metadata.AuditEntry;
import dev.berth.metadata.AuditFilter;
import dev.berth.metadata.GcRunItem;
import dev.berth.metadata.GcRunRecord;
import dev.berth.metadata.HistoryStore;
import dev.berth.oci.Digest;
import dev.berth.oci.OciFormatException;
import dev.berth.oci.Reference;
import dev.berth.oci.RepositoryName;
import dev.berth.oci.Tag;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.function.Predicate;

/**
 * The admin JSON API under {@code /api/v1/}: garbage collection runs (start dry or real, follow,
 * list with reports and logs), what fills the disk (repositories, images, totals), delete
 * previews, users, namespaces (with their policies) and robots, and the audit log. Callers
 * present the server's admin token as a bearer token, or a user's or robot's Basic credentials;
 * what each may do is {@link Permissions}' and {@link Administration}'s rule, the same the web
 * console follows, so everything it does a script can do here. Repositories a caller may not pull
 * answer as missing.
 */
public final class AdminHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
  private static final Pattern RUN = Pattern.compile("^/api/v1/gc/runs/([0-9a-f-]{36})$");
  private static final Pattern RUN_ITEMS = Pattern.compile("^/api/v1/gc/runs/([0-9a-f-]{36})/items$");
  private static final int ITEMS_PAGE = 1000;
  static final int ITEMS_PAGE_MAX = 10_000;
  private static final Pattern PREVIEW = Pattern.compile("^/api/v1/repositories/(.+)/manifests/([^/]+)/delete-preview$");
  private static final Pattern IMAGES = Pattern.compile("^/api/v1/repositories/(.+)/images$");
  private static final int HISTORY_LIMIT = 100;
  private static final int AUDIT_LIMIT_MAX = 10_000;
  /** Longer than this, a follower's request might meet a proxy's idle timeout. */
  static final long WAIT_MAX_SECONDS = 60;
  /** Who the server's own token acts as: {@code berth gc} beside the server. */
  private static final Principal ADMIN_TOKEN = new Principal("admin-token", Principal.Kind.USER, true, Map.of());

  private final GcService gc;
  private final DeletePreview previews;
  private final Inventory inventory;
  private final UserEndpoints users;
  private final RetentionEndpoints retention;
  private final PolicyEndpoints policies;
  private final HistoryStore history;
  private final GcOptions defaults;
  private final GcScheduleEndpoint schedule;
  private final byte[] token;
  private final AccessControl access;
  private final Permissions permissions;
  private final ObjectMapper json;

  public AdminHandler(GcService gc, DeletePreview previews, Inventory inventory, Administration administration,
      Policies policies, RetentionRuns retention, HistoryStore history, GcOptions defaults, GcSchedule schedule,
      String token, AccessControl access, ObjectMapper json) {
    super(InvocationType.BLOCKING);
    this.users = new UserEndpoints(administration);
    this.policies = new PolicyEndpoints(administration, policies);
    this.retention = new RetentionEndpoints(administration, retention);
    this.permissions = administration.permissions();
    this.gc = gc;
    this.previews = previews;
    this.inventory = inventory;
    this.history = history;
    this.defaults = defaults;
    this.schedule = new GcScheduleEndpoint(schedule);
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.access = access;
    this.json = json;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!path.startsWith("/api/v1/")) {
      return false;
    }
    Exchange ex = new Exchange(request, response, callback, json);
    try {
      Principal caller = authenticate(ex);
      if (!users.handle(ex, path, caller) && !policies.handle(ex, path, caller)
          && !retention.handle(ex, path, caller)) {
        dispatch(ex, path, caller);
      }
    } catch (AdminError e) {
      respondError(ex, e.status, e.getMessage());
    } catch (NotPermittedException e) {
      respondError(ex, e.hidden() ? 404 : 403, e.getMessage());
    } catch (AccessDeniedException e) {
      // A password change checks the current password as a login, which may be throttled.
      respondError(ex, e.isThrottled() ? 429 : 403, e.getMessage());
    } catch (Exception e) {
      LOG.error("{} {} failed", request.getMethod(), path, e);
      respondError(ex, 500, "internal error");
    }
    return true;
  }

  /**
   * The server's own admin token (what {@code berth gc} beside the server uses), or Basic
   * credentials. Always required, even when the registry API is open; registry bearer tokens are
   * not accepted, since they grant repository actions, not administration.
   */
  private Principal authenticate(Exchange ex) {
    String header = ex.requestHeader(HttpHeader.AUTHORIZATION);
    byte[] presented = header != null && header.startsWith("Bearer ")
        ? header.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (MessageDigest.isEqual(presented, token)) {
      return ADMIN_TOKEN;
    }
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        return access.authenticate(java.util.Optional.of(header), Request.getRemoteAddr(ex.request)).principal();
      } catch (AccessDeniedException e) {
        throw new AdminError(e.isThrottled() ? 429 : 401, e.getMessage());
      }
    }
    ex.header(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"berth-admin\"");
    throw new AdminError(401, "the admin API needs a user's credentials or the server's admin token");
  }

  private void requireSystemAdmin(Principal caller, String what) {
    if (!permissions.administersRegistry(caller)) {
      throw new AdminError(403, what + " is for system administrators");
    }
  }

  private void dispatch(Exchange ex, String path, Principal caller) throws IOException {
    Matcher run = RUN.matcher(path);
    if (path.equals("/api/v1/gc/runs")) {
      requireSystemAdmin(caller, "garbage collection");
      switch (ex.method()) {
        case "POST" -> startRun(ex, caller);
        case "GET" -> listRuns(ex);
        default -> throw new AdminError(405, "use GET or POST");
      }
    } else if (path.equals("/api/v1/gc/schedule")) {
      requireSystemAdmin(caller, "garbage collection");
      schedule.handle(ex, Exchange.actor(ex, caller.name()));
    } else if (run.matches() && "GET".equals(ex.method())) {
      ex.route("admin_gc_run");
      requireSystemAdmin(caller, "garbage collection");
      long waitSeconds = number(ex, "wait", 0, 0, WAIT_MAX_SECONDS);
      GcRunRecord record = awaitRun(run.group(1), Duration.ofSeconds(waitSeconds))
          .orElseThrow(() -> new AdminError(404, "no such run"));
      Map<String, Object> body = new LinkedHashMap<>(InventoryJson.run(record));
      gc.progress(record.id()).ifPresent(p -> body.put("progress", p.snapshot()));
      record.report().ifPresent(r -> body.put("report", readJson(r)));
      record.log().ifPresent(l -> body.put("log", l.isEmpty() ? List.of() : List.of(l.split("\n"))));
      ex.json(200, body);
    } else if (RUN_ITEMS.matcher(path).matches() && "GET".equals(ex.method())) {
      Matcher m = RUN_ITEMS.matcher(path);
      m.matches();
      runItems(ex, caller, m.group(1));
    } else if (PREVIEW.matcher(path).matches() && "GET".equals(ex.method())) {
      Matcher m = PREVIEW.matcher(path);
      m.matches();
      preview(ex, caller, m.group(1), m.group(2));
    } else if (IMAGES.matcher(path).matches() && "GET".equals(ex.method())) {
      Matcher m = IMAGES.matcher(path);
      m.matches();
      images(ex, caller, m.group(1));
    } else if (path.equals("/api/v1/repositories") && "GET".equals(ex.method())) {
      ex.route("admin_repositories");
      Predicate<RepositoryName> visible = permissions.seeing(caller);
      ex.json(200, Map.of("repositories", inventory.repositories(ex.query("q").orElse("")).stream()
          .filter(r -> visible.test(r.name())).map(InventoryJson::repository).toList()));
    } else if (path.equals("/api/v1/storage") && "GET".equals(ex.method())) {
      ex.route("admin_storage");
      requireSystemAdmin(caller, "the deployment's storage totals");
      ex.json(200, InventoryJson.overview(inventory.overview()));
    } else if (path.equals("/api/v1/audit") && "GET".equals(ex.method())) {
      ex.route("admin_audit");
      requireSystemAdmin(caller, "the audit log");
      AuditFilter filter;
      try {
        filter = AuditFilter.parse(ex.query("user"), ex.query("namespace"), ex.query("action"), ex.query("from"),
            ex.query("until"));
      } catch (IllegalArgumentException e) {
        throw new AdminError(400, e.getMessage());
      }
      int limit = (int) number(ex, "limit", HISTORY_LIMIT, 1, AUDIT_LIMIT_MAX);
      ex.json(200, Map.of("entries", history.audit(filter, limit).stream().map(AdminHandler::describe).toList()));
    } else {
      throw new AdminError(404, "no such endpoint");
    }
  }

  /**
   * One page of what a run removed, in the order it removed them: {@code after} is the last
   * {@code seq} already read (0 to start), {@code limit} at most {@value #ITEMS_PAGE_MAX}. With
   * {@code wait}, answers once there are items after {@code after} or the run has ended. With
   * {@code format=text}, the items' lines alone, as {@code berth gc} prints them.
   *
   * <p>Unless this page is the last, a {@code Link} header (RFC 8288) gives the next one. It is the
   * last when the run had ended before its items were read (items reach history before the end
   * does) and it holds fewer than {@code limit}.
   */
  private void runItems(Exchange ex, Principal caller, String id) throws IOException {
    ex.route("admin_gc_run_items");
    requireSystemAdmin(caller, "garbage collection");
    long after = number(ex, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) number(ex, "limit", ITEMS_PAGE, 1, ITEMS_PAGE_MAX);
    long waitSeconds = number(ex, "wait", 0, 0, WAIT_MAX_SECONDS);
    boolean text = switch (ex.query("format").orElse("json")) {
      case "json" -> false;
      case "text" -> true;
      default -> throw new AdminError(400, "format is json or text");
    };
    Duration wait = Duration.ofSeconds(waitSeconds);
    GcRunRecord record = (wait.isZero() ? gc.findRun(id) : waiting(id, () -> gc.awaitItems(id, after, wait)))
        .orElseThrow(() -> new AdminError(404, "no such run"));
    List<GcRunItem> items = gc.runItems(id, after, limit);
    if (record.status() == GcRunRecord.Status.RUNNING || items.size() == limit) {
      long next = items.isEmpty() ? after : items.getLast().seq();
      ex.header(HttpHeader.LINK, "</api/v1/gc/runs/" + id + "/items?after=" + next + "&limit=" + limit
          + (waitSeconds > 0 ? "&wait=" + waitSeconds : "") + (text ? "&format=text" : "") + ">; rel=\"next\"");
    }
    if (text) {
      StringBuilder lines = new StringBuilder();
      items.forEach(item -> lines.append(GcReports.line(item, record.dryRun())).append('\n'));
      ex.bytes(200, "text/plain; charset=utf-8", lines.toString().getBytes(StandardCharsets.UTF_8));
    } else {
      ex.json(200, Map.of("status", InventoryJson.status(record),
          "items", items.stream().map(item -> GcReports.toMap(item, record.dryRun())).toList()));
    }
  }

  private Optional<GcRunRecord> awaitRun(String id, Duration wait) throws IOException {
    return wait.isZero() ? gc.findRun(id) : waiting(id, () -> gc.awaitEnd(id, wait));
  }

  interface Wait<T> {
    T await() throws InterruptedException;
  }

  static <T> T waiting(String id, Wait<T> wait) throws InterruptedIOException {
    try {
      return wait.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for run " + id);
    }
  }

  static long number(Exchange ex, String name, long absent, long min, long max) {
    String text = ex.query(name).orElse(null);
    if (text == null) {
      return absent;
    }
    try {
      long value = Long.parseLong(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below, as any value out of range
    }
    throw new AdminError(400, name + " must be a whole number from " + min + " to " + max);
  }

  private void startRun(Exchange ex, Principal caller) throws IOException {
    ex.route("admin_gc_start");
    JsonNode body = AdminError.readBody(ex);
    GcOptions options;
    try {
      options = new GcOptions(
          body.path("dryRun").asBoolean(false),
          body.path("deleteUntagged").asBoolean(defaults.deleteUntagged()),
          body.hasNonNull("grace") ? dev.berth.config.Durations.parse(body.get("grace").asText()) : defaults.grace(),
          body.hasNonNull("uploadMaxAge")
              ? dev.berth.config.Durations.parse(body.get("uploadMaxAge").asText()) : defaults.uploadMaxAge(),
          body.path("orphans").asBoolean(false));
    } catch (IllegalArgumentException e) {
      throw new AdminError(400, e.getMessage());
    }
    String requestedBy = body.path("requestedBy").asText(caller.name() + "@" + Request.getRemoteAddr(ex.request));
    try {
      String id = gc.start(options, requestedBy, "api", inventory.sampleWhenDone());
      ex.header(HttpHeader.LOCATION, "/api/v1/gc/runs/" + id);
      ex.json(202, Map.of("id", id));
    } catch (GcAlreadyRunningException e) {
      throw new AdminError(409, e.getMessage());
    }
  }

  /**
   * By digest: what deleting the image takes with it. By tag: the same for the image it names,
   * plus the other tags that keep the image alive when only this tag is deleted.
   */
  private void preview(Exchange ex, Principal caller, String rawName, String rawReference) throws IOException {
    ex.route("admin_delete_preview");
    RepositoryName repository;
    Reference reference;
    try {
      repository = RepositoryName.of(rawName);
      reference = Reference.parse(rawReference);
    } catch (OciFormatException e) {
      throw new AdminError(400, e.getMessage());
    }
    String missing = reference instanceof Reference.ByTag ? "no such tag" : "no such manifest";
    if (!permissions.maySee(caller, repository)) {
      throw new AdminError(404, missing);
    }
    Digest digest = switch (reference) {
      case Reference.ByDigest d -> d.digest();
      case Reference.ByTag t -> previews.resolve(repository, t.tag()).orElseThrow(() -> new AdminError(404, missing));
    };
    DeletePreview.Preview p = previews.of(repository, digest).orElseThrow(() -> new AdminError(404, "no such manifest"));
    if (!permissions.mayDelete(caller, repository)) {
      throw new AdminError(403, "deleting in " + repository.namespace() + " needs the maintainer or admin role");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("repository", repository.value());
    body.put("digest", digest.toString());
    if (reference instanceof Reference.ByTag t) {
      body.put("tag", t.tag().value());
      body.put("otherTags", p.tags().stream().map(Tag::value).filter(v -> !v.equals(t.tag().value())).toList());
    }
    body.put("tags", p.tags().stream().map(Tag::value).toList());
    body.put("referrers", p.referrers().stream().map(r -> {
      Map<String, Object> referrer = new LinkedHashMap<>();
      referrer.put("digest", r.digest().toString());
      referrer.put("mediaType", r.mediaType().value());
      r.artifactType().ifPresent(a -> referrer.put("artifactType", a));
      return referrer;
    }).toList());
    body.put("untaggedChildren", p.untaggedChildren().stream().map(Digest::toString).toList());
    body.put("listedByIndexes", p.indexesListingIt());
    body.put("freedBlobs", p.freedBlobs().stream().map(b -> Map.of("digest", b.digest().toString(), "size", b.size())).toList());
    body.put("bytesFreed", p.bytesFreed());
    body.put("bytesShared", p.bytesShared());
    body.put("bytesFreedWithUntagged", p.bytesFreedWithUntagged());
    ex.json(200, body);
  }

  private void images(Exchange ex, Principal caller, String rawName) throws IOException {
    ex.route("admin_images");
    RepositoryName repository;
    try {
      repository = RepositoryName.of(rawName);
    } catch (OciFormatException e) {
      throw new AdminError(400, e.getMessage());
    }
    if (!permissions.maySee(caller, repository)) {
      throw new AdminError(404, "no such repository");
    }
    List<Inventory.Image> images = inventory.images(repository)
        .orElseThrow(() -> new AdminError(404, "no such repository"));
    ex.json(200, Map.of("repository", repository.value(), "images", InventoryJson.images(images)));
  }

  private void listRuns(Exchange ex) throws IOException {
    ex.route("admin_gc_runs");
    ex.json(200, Map.of("runs", gc.recentRuns(HISTORY_LIMIT).stream().map(InventoryJson::run).toList()));
  }

  private static Map<String, Object> describe(AuditEntry entry) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("at", entry.at().toString());
    map.put("actor", entry.actor());
    map.put("action", entry.action());
    map.put("target", entry.target());
    map.put("namespace", entry.namespace().orElse(null));
    map.put("detail", entry.detail());
    return map;
  }

  private JsonNode readJson(String text) {
    return AdminError.parseJson(json, text);
  }

  private void respondError(Exchange ex, int status, String message) {
    try {
      ex.json(status, Map.of("error", message));
    } catch (IOException | RuntimeException e) {
      ex.fail(e);
    }
  }

}
