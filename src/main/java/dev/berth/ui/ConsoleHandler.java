package dev.berth.ui;

import dev.berth.auth.NotPermittedException;
import dev.berth.auth.Permissions;
import dev.berth.ui.view.Frame;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console at {@code /} and {@code /ui/...}: every page needs a signed-in user's session
 * (GETs without one go to the login page), and every POST needs the session's CSRF token (a POST
 * without both is refused with 403 before anything runs). What a user sees and may change follows
 * their namespace roles, by the rules the admin API follows; garbage collection, users and the
 * audit log are for system administrators.
 */
public final class ConsoleHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleHandler.class);
  /** A console signs out after this long without a request (or up to {@link SessionStore#EXTENSION_STEP} less). */
  private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);
  /** Pages and forms about the whole registry rather than the namespaces a user belongs to. */
  private static final Set<String> SYSTEM_ADMIN_ONLY = Set.of("GET /ui/gc", "POST /ui/gc", "GET /ui/gc/run",
      "POST /ui/gc/schedule",
      "GET /ui/audit", "GET /ui/users", "POST /ui/users", "POST /ui/users/remove");

  private final SessionStore sessions;
  private final Permissions permissions;
  private final StaticAssets assets = new StaticAssets();
  private final Pages pages;
  private final LoginController login;
  private final DashboardController dashboard;
  private final RepositoryController repositories;
  private final ArtifactController artifacts;
  private final DeleteController deletes;
  private final GcController gc;
  private final AuditController audit;
  private final UsersController users;
  private final NamespaceController namespaces;
  private final PolicyController policies;
  private final AccountController account;

  public ConsoleHandler(ConsoleServices services, Clock clock) {
    super(InvocationType.BLOCKING);
    this.sessions = new SessionStore(services.sessions(), IDLE_TIMEOUT, clock, services.access()::currentUser);
    this.pages = new Pages(new Templates(), sessions);
    this.permissions = services.administration().permissions();
    this.login = new LoginController(services.access(), sessions, pages);
    this.dashboard = new DashboardController(services.inventory(), permissions, services.gcDefaults(), pages);
    this.repositories = new RepositoryController(services.inventory(), permissions, services.policies(), pages);
    this.artifacts = new ArtifactController(services.inventory(), services.manifests(),
        new ImageConfigReader(services.blobs()), permissions, services.externalUrl(), pages);
    this.deletes = new DeleteController(services.previews(), services.inventory(), services.manifests(), permissions,
        services.policies(), pages);
    this.gc = new GcController(services.gc(), services.gcDefaults(), services.gcSchedule(), services.inventory(),
        pages, clock);
    this.audit = new AuditController(services.history(), pages);
    this.users = new UsersController(services.administration(), pages, clock);
    this.namespaces = new NamespaceController(services.administration(), services.inventory(),
        services.policies(), pages, clock);
    this.account = new AccountController(services.administration(), pages);
    this.policies = new PolicyController(services.administration(), services.policies(), services.retention(), pages);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!path.equals("/") && !path.equals("/ui") && !path.startsWith("/ui/")) {
      return false;
    }
    WebExchange ex = new WebExchange(request, response, callback);
    try {
      route(ex, path);
    } catch (Exception e) {
      LOG.error("{} {} failed", request.getMethod(), path, e);
      ex.fail(e);
    }
    return true;
  }

  private void route(WebExchange ex, String path) throws IOException {
    boolean post = "POST".equals(ex.method());
    if (path.equals("/") || path.equals("/ui")) {
      ex.redirect(Links.HOME);
      return;
    }
    if (path.startsWith(StaticAssets.PREFIX)) {
      Optional<StaticAssets.Asset> asset = assets.find(path);
      if (asset.isPresent()) {
        ex.bytes(200, asset.get().contentType(), asset.get().bytes());
      } else {
        ex.bytes(404, "text/plain; charset=utf-8", new byte[0]);
      }
      return;
    }
    if (path.equals(Links.LOGIN)) {
      if (post) {
        login.login(ex);
      } else {
        login.form(ex);
      }
      return;
    }
    Optional<Session> session = ex.cookie(LoginController.COOKIE).flatMap(sessions::find);
    if (session.isEmpty()) {
      if (post) {
        pages.message(ex, 403, Frame.anonymous("Refused"), "Refused", "Sign in first; nothing was changed.");
      } else {
        ex.redirect(Links.LOGIN);
      }
      return;
    }
    if (post && !CsrfGuard.accepts(session.get(), ex.field(CsrfGuard.FIELD))) {
      pages.message(ex, 403, Frame.anonymous("Refused"), "Refused",
          "This form did not come from this console (its security token is missing or stale); nothing was changed. "
              + "Reload the page and try again.");
      return;
    }
    String route = (post ? "POST " : "GET ") + path;
    // The page a refused form redirected to shows why, once; a form's POST leaves it for that page.
    Session current = post ? session.get().withFlash("") : sessions.takeFlash(session.get());
    if (SYSTEM_ADMIN_ONLY.contains(route) && !permissions.administersRegistry(current.principal())) {
      pages.forbidden(ex, Pages.frame(current, "Not allowed", ""), "This page is for system administrators.");
      return;
    }
    try {
      dispatch(ex, route, current);
    } catch (NotPermittedException e) {
      if (e.hidden()) {
        pages.notFound(ex, Pages.frame(current, "Not found", ""), "There is no such namespace.");
      } else {
        pages.forbidden(ex, Pages.frame(current, "Not allowed", ""), "You may not do that: " + e.getMessage() + ".");
      }
    }
  }

  private void dispatch(WebExchange ex, String route, Session session) throws IOException {
    switch (route) {
      case "GET /ui/" -> dashboard.show(ex, session);
      case "GET /ui/repositories" -> repositories.list(ex, session);
      case "GET /ui/repository" -> repositories.show(ex, session);
      case "GET /ui/artifact" -> artifacts.show(ex, session);
      case "GET /ui/delete" -> deletes.preview(ex, session);
      case "POST /ui/delete" -> deletes.confirm(ex, session);
      case "GET /ui/delete/many" -> deletes.previewMany(ex, session);
      case "POST /ui/delete/many" -> deletes.confirmMany(ex, session);
      case "GET /ui/gc" -> gc.list(ex, session);
      case "POST /ui/gc" -> gc.start(ex, session);
      case "GET /ui/gc/run" -> gc.run(ex, session);
      case "POST /ui/gc/schedule" -> gc.schedule(ex, session);
      case "GET /ui/audit" -> audit.show(ex, session);
      case "GET /ui/users" -> users.list(ex, session);
      case "POST /ui/users" -> users.add(ex, session);
      case "POST /ui/users/remove" -> users.remove(ex, session);
      case "GET /ui/namespaces" -> namespaces.list(ex, session);
      case "GET /ui/namespace" -> namespaces.show(ex, session);
      case "POST /ui/namespace/role" -> namespaces.role(ex, session);
      case "POST /ui/namespace/public" -> namespaces.visibility(ex, session);
      case "POST /ui/namespace/robots" -> namespaces.addRobot(ex, session);
      case "POST /ui/namespace/robots/revoke" -> namespaces.revokeRobot(ex, session);
      case "GET /ui/policy" -> policies.show(ex, session);
      case "POST /ui/policy" -> policies.save(ex, session);
      case "POST /ui/policy/remove" -> policies.remove(ex, session);
      case "POST /ui/policy/run" -> policies.run(ex, session);
      case "GET /ui/retention/run" -> policies.showRun(ex, session);
      case "GET /ui/account" -> account.show(ex, session);
      case "POST /ui/account/password" -> account.changePassword(ex, session);
      case "POST /ui/logout" -> login.logout(ex, session);
      default -> pages.notFound(ex, Pages.frame(session, "Not found", ""), "There is no such page.");
    }
  }
}
