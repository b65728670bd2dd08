package dev.berth.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.AccessDeniedException;
import dev.berth.auth.Action;
import dev.berth.auth.Caller;
import dev.berth.oci.OciFormatException;
import dev.berth.oci.RepositoryName;
import dev.berth.registry.ErrorCode;
import dev.berth.registry.Registry;
import dev.berth.registry.RegistryException;
import dev.berth.registry.RegistrySettings;
import dev.berth.registry.Uploads;
import dev.berth.storage.StorageUnavailableException;
import java.io.IOException;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /v2/} API: matches a route, validates the name, hands over to the endpoint, and turns
 * whatever the registry throws into the spec's error response.
 */
public final class V2Handler extends Handler.Abstract {
  static final String CONTENT_DIGEST = "Docker-Content-Digest";
  private static final Logger LOG = LoggerFactory.getLogger(V2Handler.class);

  private final ObjectMapper json;
  private final BlobEndpoints blobs;
  private final UploadEndpoints uploads;
  private final ManifestEndpoints manifests;
  private final ListingEndpoints listings;
  private final AuthGate gate;

  V2Handler(Registry registry, RegistrySettings settings, AuthGate gate, ExternalUrl externalUrl, ObjectMapper json,
      org.eclipse.jetty.io.ByteBufferPool pool) {
    super(InvocationType.BLOCKING);
    this.json = json;
    this.gate = gate;
    this.blobs = new BlobEndpoints(registry.blobs(), pool);
    this.uploads = new UploadEndpoints(registry.uploads(), externalUrl);
    this.manifests = new ManifestEndpoints(registry.manifests(), settings.maxManifestBytes(), externalUrl);
    this.listings = new ListingEndpoints(registry.listings());
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!path.equals("/v2") && !path.startsWith("/v2/")) {
      return false;
    }
    response.getHeaders().put("Docker-Distribution-API-Version", "registry/2.0");
    Exchange ex = new Exchange(request, response, callback, json);
    try {
      dispatch(ex, path, gate.authenticate(ex));
      ex.complete();
    } catch (AccessDeniedException e) {
      gate.challenge(ex, e);
      error(ex, new RegistryException(gate.code(e), e.getMessage(), gate.detail(e)));
    } catch (RegistryException e) {
      error(ex, e);
    } catch (OciFormatException e) {
      error(ex, ErrorResponses.fromFormat(e));
    } catch (EofException e) {
      // The client went away mid-request; nothing to answer.
      ex.fail(e);
    } catch (StorageUnavailableException e) {
      LOG.warn("{} {}: {}", request.getMethod(), path, e.getMessage());
      error(ex, new RegistryException(ErrorCode.UNAVAILABLE, "blob storage is unavailable; retry later"));
    } catch (Throwable e) {
      LOG.error("{} {} failed", request.getMethod(), path, e);
      error(ex, new RegistryException(ErrorCode.UNKNOWN, "internal error"));
    }
    return true;
  }

  /** Matches the route, checks the caller may do what the route does, and hands over. */
  private void dispatch(Exchange ex, String path, Caller caller) throws IOException {
    if (path.equals("/v2") || path.equals("/v2/")) {
      ex.route("base");
      if (!"GET".equals(ex.method()) && !ex.isHead()) {
        throw methodNotAllowed();
      }
      gate.access().requireAuthenticated(caller);
      ex.json(200, Map.of());
      return;
    }
    if (path.equals("/v2/_catalog")) {
      listings.catalog(ex, repository -> gate.allows(caller, repository, Action.PULL));
      return;
    }
    V2Route route = V2Route.parse(path).orElse(null);
    if (route == null) {
      ex.route("unknown");
      ex.bytes(404, "application/json",
          ErrorResponses.body(json, ErrorCode.UNSUPPORTED, "no such endpoint", path));
      return;
    }
    RepositoryName name = RepositoryName.of(route.name());
    switch (route.kind()) {
      case UPLOADS -> {
        gate.require(ex, caller, name, Action.PUSH);
        uploads.start(ex, name, from -> gate.allows(caller, from, Action.PULL));
      }
      case UPLOAD -> {
        gate.require(ex, caller, name, Action.PUSH);
        uploads.session(ex, name, route.argument());
      }
      case BLOB -> {
        gate.require(ex, caller, name, "DELETE".equals(ex.method()) ? Action.DELETE : Action.PULL);
        blobs.handle(ex, name, route.argument(), caller.principal().name());
      }
      case MANIFEST -> {
        gate.require(ex, caller, name, switch (ex.method()) {
          case "PUT" -> Action.PUSH;
          case "DELETE" -> Action.DELETE;
          default -> Action.PULL;
        });
        manifests.handle(ex, name, route.argument(), caller.principal().name());
      }
      case TAGS -> {
        gate.require(ex, caller, name, Action.PULL);
        listings.tags(ex, name);
      }
      case REFERRERS -> {
        gate.require(ex, caller, name, Action.PULL);
        listings.referrers(ex, name, route.argument());
      }
    }
  }

  static RegistryException methodNotAllowed() {
    return new RegistryException(ErrorCode.UNSUPPORTED, "the method is not allowed on this endpoint");
  }

  private void error(Exchange ex, RegistryException e) {
    if (ex.isCompleted() || ex.response.isCommitted()) {
      ex.fail(e);
      return;
    }
    try {
      ex.response.getHeaders().remove(HttpHeader.CONTENT_LENGTH);
      ex.response.getHeaders().remove(HttpHeader.CONTENT_RANGE);
      if (ex.bodyMayBeUnread()) {
        // Answering before the body arrived: say the connection ends rather than leave the client
        // writing its next request into a socket the server is about to close.
        ex.header(HttpHeader.CONNECTION, "close");
      }
      if (e.detail() instanceof Uploads.UploadPosition position) {
        ex.header(HttpHeader.RANGE, UploadEndpoints.rangeHeader(position.size()));
      }
      ex.bytes(ErrorResponses.status(e.code()), "application/json",
          ErrorResponses.body(json, e.code(), e.getMessage(), e.detail()));
    } catch (IOException | RuntimeException failure) {
      ex.fail(failure);
    }
  }
}
