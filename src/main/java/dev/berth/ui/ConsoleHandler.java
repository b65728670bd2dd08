package dev.berth.ui;

import dev.berth.metadata.AccessStore;
import dev.berth.ui.view.Frame;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console at {@code /} and {@code /ui/...}: every page needs a session of a system
 * administrator (GETs without one go to the login page), and every POST needs the session's CSRF
 * token (a POST without both is refused with 403 before anything runs).
 */
public final class ConsoleHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleHandler.class);
  /** An administrator's console signs out after this long without a request. */
  private static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);

  private final SessionStore sessions;
  private final AccessStore accounts;
  private final StaticAssets assets = new StaticAssets();
  private final Pages pages = new Pages(new Templates());
  private final LoginController login;
  private final DashboardController dashboard;
  private final RepositoryController repositories;
  private final DeleteController deletes;
  private final GcController gc;
  private final AuditController audit;
  private final UsersController users;

  public ConsoleHandler(ConsoleServices services, Clock clock) {
    super(InvocationType.BLOCKING);
    this.sessions = new SessionStore(IDLE_TIMEOUT, clock);
    this.accounts = services.accounts();
    this.login = new LoginController(services.access(), sessions, pages);
    this.dashboard = new DashboardController(services.inventory(), services.gcDefaults(), pages);
    this.repositories = new RepositoryController(services.inventory(), pages);
    this.deletes = new DeleteController(services.previews(), services.manifests(), pages);
    this.gc = new GcController(services.gc(), services.gcDefaults(), services.inventory(), pages);
    this.audit = new AuditController(services.history(), pages);
    this.users = new UsersController(services.users(), services.accounts(), pages, clock);
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
    Optional<Session> session = ex.cookie(LoginController.COOKIE).flatMap(sessions::find).filter(this::stillAdmin);
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
    dispatch(ex, path, post, session.get());
  }

  /**
   * A session ends as soon as its user is removed or stops being a system administrator, not only
   * when it expires.
   */
  private boolean stillAdmin(Session session) {
    boolean admin = accounts.findUser(session.principal().name()).filter(AccessStore.UserRecord::systemAdmin)
        .isPresent();
    if (!admin) {
      sessions.remove(session.id());
    }
    return admin;
  }

  private void dispatch(WebExchange ex, String path, boolean post, Session session) throws IOException {
    switch ((post ? "POST " : "GET ") + path) {
      case "GET /ui/" -> dashboard.show(ex, session);
      case "GET /ui/repositories" -> repositories.list(ex, session);
      case "GET /ui/repository" -> repositories.show(ex, session);
      case "GET /ui/delete" -> deletes.preview(ex, session);
      case "POST /ui/delete" -> deletes.confirm(ex, session);
      case "GET /ui/gc" -> gc.list(ex, session);
      case "POST /ui/gc" -> gc.start(ex, session);
      case "GET /ui/gc/run" -> gc.run(ex, session);
      case "GET /ui/audit" -> audit.show(ex, session);
      case "GET /ui/users" -> users.list(ex, session);
      case "POST /ui/users" -> users.add(ex, session);
      case "POST /ui/users/role" -> users.role(ex, session);
      case "POST /ui/robots" -> users.addRobot(ex, session);
      case "POST /ui/robots/revoke" -> users.revokeRobot(ex, session);
      case "POST /ui/logout" -> login.logout(ex, session);
      default -> pages.notFound(ex, Pages.frame(session, "Not found", ""), "There is no such page.");
    }
  }
}
