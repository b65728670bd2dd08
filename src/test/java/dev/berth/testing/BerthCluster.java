package dev.berth.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.berth.auth.Users;
import dev.berth.metadata.sql.SqlMetadataStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Berth as a deployment of several replicas, all on 127.0.0.1 with free ports and the test's
 * directories: one PostgreSQL (embedded), one S3 server (s3proxy), three {@code berth serve}
 * processes from the packaged jar, each with its own data directory and all sharing the database,
 * the bucket and one token signing key, and nginx in front of them, round robin with no stickiness,
 * so consecutive requests of one client (the PATCHes and PUT of one upload) land on different
 * replicas. Replicas can be killed and started again on their port; {@link #close()} stops
 * everything.
 */
public final class BerthCluster implements AutoCloseable {
  public static final String ADMIN_PASSWORD = "cluster-admin-pass-1";
  public static final int REPLICAS = 3;
  private static final String DATABASE = "berth";
  /** Where the bucket's objects go: Docker Registry's layout under this prefix. */
  private static final String S3_ROOT = "/cluster";
  /**
   * A GC run's heartbeat every half second (stale after six beats: three seconds), so that a killed
   * replica's run is recognised within the test; and a quick-starting, modest JVM, three of them
   * on two cores.
   */
  private static final List<String> SERVER_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx192m",
      "-Dberth.gc.heartbeat=500");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path work;
  private final boolean auth;
  private final List<AutoCloseable> started = new ArrayList<>();
  private EmbeddedPostgres postgres;
  private S3Server s3;
  private Path signingKey;
  private final List<Replica> replicas = new ArrayList<>();
  private Nginx nginx;

  private BerthCluster(Path work, boolean auth) {
    this.work = work;
    this.auth = auth;
  }

  /**
   * Starts the whole deployment under {@code work}; with {@code auth}, access control is on (the
   * first admin's password is {@link #ADMIN_PASSWORD}), else the registry API is open.
   */
  public static BerthCluster start(Path work, boolean auth) throws Exception {
    BerthCluster cluster = new BerthCluster(work, auth);
    try {
      cluster.startParts();
      return cluster;
    } catch (Exception | Error e) {
      try {
        cluster.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private void startParts() throws Exception {
    Tool.require("nginx");
    postgres = EmbeddedPostgres.builder()
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "200")
        .start();
    started.add(postgres);
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + DATABASE);
    }
    s3 = S3Server.start(Files.createDirectories(work.resolve("s3")));
    started.add(s3);
    signingKey = Files.writeString(work.resolve("signing-key.jwk"),
        new ECKeyGenerator(Curve.P_256).keyID("cluster").generate().toJSONString());
    for (int i = 0; i < REPLICAS; i++) {
      replicas.add(new Replica("replica-" + (char) ('a' + i), work.resolve("replica-" + (char) ('a' + i)),
          freePort()));
    }
    for (Replica replica : replicas) {
      replica.writeConfig();
    }
    // All at once, as replicas of a deployment start: they meet on an empty database.
    ExecutorService starting = Executors.newFixedThreadPool(REPLICAS);
    try {
      List<Future<Void>> starts = new ArrayList<>();
      for (Replica replica : replicas) {
        starts.add(starting.submit(() -> {
          replica.start();
          return null;
        }));
      }
      for (Future<Void> start : starts) {
        start.get();
      }
    } finally {
      starting.shutdownNow();
    }
    nginx = Nginx.start(work.resolve("nginx"), nginxServer());
    started.add(nginx);
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * Round robin over the replicas, streaming request and response bodies; an access log that
   * names the replica each request went to. A replica that refuses connections (killed) is skipped
   * for requests that can be retried.
   */
  private String nginxServer() {
    String upstreams = replicas.stream().map(r -> "    server " + r.hostPort() + ";")
        .collect(Collectors.joining("\n"));
    return """
          log_format replicas '$request_method $uri $status $upstream_addr';
          upstream berth {
        %s
          }
          server {
            listen 127.0.0.1:%%PORT%%;
            client_max_body_size 0;
            access_log %s replicas;
            location / {
              proxy_pass http://berth;
              proxy_http_version 1.1;
              proxy_request_buffering off;
              proxy_buffering off;
              proxy_read_timeout 300s;
              proxy_set_header Host $http_host;
              proxy_set_header X-Forwarded-Proto $scheme;
            }
          }
        """.formatted(upstreams, upstreamLog());
  }

  private Path upstreamLog() {
    return work.resolve("nginx/logs/replicas.log");
  }

  /** nginx's address, {@code 127.0.0.1:<port>}. */
  public String hostPort() {
    return nginx.hostPort();
  }

  /** A URL on nginx. */
  public URI uri(String path) {
    return URI.create("http://" + hostPort() + path);
  }

  public List<Replica> replicas() {
    return List.copyOf(replicas);
  }

  public Replica replica(int index) {
    return replicas.get(index);
  }

  public S3Server s3() {
    return s3;
  }

  /**
   * What nginx has logged so far, one entry per request: method, path, status and the replica's
   * address ({@code 127.0.0.1:<port>}) it went to.
   */
  public List<Proxied> proxied() throws IOException {
    Path log = upstreamLog();
    if (!Files.exists(log)) {
      return List.of();
    }
    return Files.readAllLines(log).stream().map(line -> line.split(" ", 4))
        .filter(fields -> fields.length == 4)
        .map(fields -> new Proxied(fields[0], fields[1], Integer.parseInt(fields[2]), fields[3]))
        .toList();
  }

  /** One request nginx passed on, and the replica ({@code 127.0.0.1:<port>}) that answered it. */
  public record Proxied(String method, String path, int status, String replica) {}

  /** A connection to the deployment's database, for tests that look at the rows themselves. */
  public Connection database() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), "postgres", "");
  }

  private String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
  }

  /** Adds a user with {@code role} on {@code namespace}, straight in the shared database. */
  /** An administrator, as {@code berth user add --admin} makes one. */
  public void addAdmin(String user, String password) {
    try (SqlMetadataStore store = SqlMetadataStore.postgres(jdbcUrl(), "postgres", "", 2)) {
      new Users(store.access(), Clock.systemUTC()).add(user, password, true);
    }
  }

  public void addUser(String user, String password, String namespace, String role) {
    try (SqlMetadataStore store = SqlMetadataStore.postgres(jdbcUrl(), "postgres", "", 2)) {
      new Users(store.access(), Clock.systemUTC()).add(user, password, false);
      store.access().setRole(namespace, user, role);
    }
  }

  /** The digests whose bytes are in the bucket, from the keys of Docker Registry's layout. */
  public java.util.Set<String> blobsInBucket() {
    String prefix = S3_ROOT.substring(1) + "/docker/registry/v2/blobs/sha256/";
    java.util.Set<String> digests = new java.util.TreeSet<>();
    try (var client = s3.client()) {
      client.listObjectsV2Paginator(b -> b.bucket(S3Server.BUCKET).prefix(prefix)).contents().forEach(object -> {
        String[] segments = object.key().substring(prefix.length()).split("/");
        if (segments.length == 3 && segments[2].equals("data")) {
          digests.add("sha256:" + segments[1]);
        }
      });
    }
    return digests;
  }

  /** Every key in the bucket under the deployment's prefix. */
  public List<String> objectKeys() {
    List<String> keys = new ArrayList<>();
    try (var client = s3.client()) {
      client.listObjectsV2Paginator(b -> b.bucket(S3Server.BUCKET).prefix(S3_ROOT.substring(1) + "/"))
          .contents().forEach(object -> keys.add(object.key()));
    }
    return keys;
  }

  /** The digests of the blob rows in the database, whatever their state. */
  public java.util.Set<String> blobRows() throws SQLException {
    java.util.Set<String> digests = new java.util.TreeSet<>();
    try (Connection c = database(); Statement s = c.createStatement();
        var rows = s.executeQuery("SELECT digest FROM blobs")) {
      while (rows.next()) {
        digests.add(rows.getString(1));
      }
    }
    return digests;
  }

  /**
   * The errors every replica logged, each with its stack trace: printed when the cluster stops, so
   * that a failed test's report shows what went wrong inside the replicas whose logs are gone
   * with the test's directory.
   */
  public String errors() throws IOException {
    StringBuilder errors = new StringBuilder();
    for (Replica replica : replicas) {
      if (!Files.exists(replica.dir.resolve("server.log"))) {
        continue;
      }
      boolean inError = false;
      for (String line : Files.readAllLines(replica.dir.resolve("server.log"))) {
        boolean entry = line.matches("^\\d{4}-\\d{2}-\\d{2}T.*");
        if (entry) {
          inError = line.contains(" ERROR ");
        }
        if (inError) {
          errors.append(replica.name).append(": ").append(line).append('\n');
        }
      }
    }
    return errors.toString();
  }

  @Override
  public void close() throws Exception {
    String errors = errors();
    if (!errors.isEmpty()) {
      System.out.println("---- errors the replicas logged\n" + errors);
    }
    Exception failure = null;
    List<AutoCloseable> toClose = new ArrayList<>();
    if (nginx != null) {
      toClose.add(nginx);
    }
    toClose.addAll(replicas);
    for (int i = started.size() - 1; i >= 0; i--) {
      if (started.get(i) != nginx) {
        toClose.add(started.get(i));
      }
    }
    for (AutoCloseable part : toClose) {
      try {
        part.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Starts {@code berth worker} (as {@code berth.node} "worker") on the replicas' configuration with
   * the scheduler on, {@code gc.schedule} {@code cron} and no grace period; stopped with the cluster.
   */
  public Process startWorker(String cron) throws Exception {
    Path dir = Files.createDirectories(work.resolve("worker"));
    Path config = dir.resolve("berth.yml");
    Files.writeString(config, Files.readString(replicas.getFirst().config())
        .replace("scheduler:\n  enabled: false\n", "")
        .replace("datadirectory: " + replicas.getFirst().root(), "datadirectory: " + dir.resolve("data"))
        + "gc:\n  schedule: \"" + cron + "\"\n  grace: 0s\n");
    List<String> jvm = new ArrayList<>(SERVER_JVM);
    jvm.add("-Dberth.node=worker");
    // In a session of its own, as a service or a container's process is: its autogroup is then its own.
    List<String> command = new ArrayList<>(List.of("setsid"));
    command.addAll(BerthJar.command(jvm, List.of("worker", "--config", config.toString())));
    Process worker = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("worker.log").toFile()))
        .start();
    started.add(() -> {
      worker.destroy();
      if (!worker.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        worker.destroyForcibly().waitFor();
      }
    });
    return worker;
  }

  /** One {@code berth serve} of the deployment, on its own data directory and a fixed port. */
  public final class Replica implements AutoCloseable {
    private final String name;
    private final Path dir;
    private final int port;
    private Process process;

    private Replica(String name, Path dir, int port) {
      this.name = name;
      this.dir = dir;
      this.port = port;
    }

    public String name() {
      return name;
    }

    public String hostPort() {
      return "127.0.0.1:" + port;
    }

    public URI uri(String path) {
      return URI.create("http://" + hostPort() + path);
    }

    /** The data directory, where the replica publishes its admin address and token. */
    public Path root() {
      return dir.resolve("data");
    }

    public Path config() {
      return dir.resolve("config.yml");
    }

    /** The process id of the running replica. */
    public long pid() {
      return process.pid();
    }

    public boolean isAlive() {
      return process != null && process.isAlive();
    }

    /** {@code berth <command> --config <this replica's config> <options>}, as its own process. */
    public BerthJar.Result command(String command, String... options) throws Exception {
      List<String> args = new ArrayList<>(List.of(command, "--config", config().toString()));
      args.addAll(List.of(options));
      return BerthJar.run(dir, args.toArray(String[]::new));
    }

    private void writeConfig() throws IOException {
      Files.createDirectories(root());
      String authSection = !auth ? "" : """
          auth:
            token:
              signingkey: %s
            admin:
              password: %s
          """.formatted(signingKey, ADMIN_PASSWORD);
      Files.writeString(config(), """
          version: 0.1
          log:
            level: info
            accesslog:
              disabled: false
          http:
            addr: %s
            draintimeout: 5s
          datadirectory: %s
          storage:
            s3:
              region: us-east-1
              regionendpoint: %s
              bucket: %s
              rootdirectory: %s
              accesskey: %s
              secretkey: %s
              forcepathstyle: true
            redirect:
              disable: true
            delete:
              enabled: true
          database:
            driver: postgres
            url: %s
            user: postgres
            password: ""
            maxconnections: 8
          scheduler:
            enabled: false
          """.formatted(hostPort(), root(), s3.endpoint(), S3Server.BUCKET, S3_ROOT, S3Server.ACCESS_KEY,
          S3Server.SECRET_KEY, jdbcUrl()) + authSection);
    }

    /**
     * Starts the replica on its port and returns once it answers {@code /healthz} and has published
     * its admin address (a killed predecessor's {@code server.json} does not count).
     */
    public void start() throws Exception {
      if (isAlive()) {
        throw new IllegalStateException(name + " is running");
      }
      Path log = dir.resolve("server.log");
      Files.writeString(log, "---- berth serve as " + name + " on " + hostPort() + "\n",
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      List<String> jvm = new ArrayList<>(SERVER_JVM);
      jvm.add("-Dberth.node=" + name);
      process = new ProcessBuilder(BerthJar.command(jvm, List.of("serve", "--config", config().toString())))
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      awaitReady();
    }

    private void awaitReady() throws Exception {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      Instant deadline = Instant.now().plus(START_TIMEOUT);
      for (int attempt = 0; attempt < 3000 && Instant.now().isBefore(deadline); attempt++) {
        if (!process.isAlive()) {
          throw new AssertionError(name + " exited " + process.exitValue() + ":\n" + log());
        }
        if (healthy(client) && publishedByThisProcess()) {
          return;
        }
        Thread.sleep(50);
      }
      throw new AssertionError(name + " was not ready within " + START_TIMEOUT + ":\n" + log());
    }

    private boolean healthy(HttpClient client) throws InterruptedException {
      try {
        return client.send(HttpRequest.newBuilder(uri("/healthz")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException notYet) {
        return false;
      }
    }

    private boolean publishedByThisProcess() {
      try {
        JsonNode published = JSON.readTree(root().resolve("berth/server.json").toFile());
        return published.path("pid").asLong() == process.pid();
      } catch (IOException notYet) {
        return false;
      }
    }

    public String log() throws IOException {
      return Files.readString(dir.resolve("server.log"));
    }

    /** SIGKILL: no shutdown hook, no draining, nothing closed. */
    public void kill() throws InterruptedException {
      process.destroyForcibly();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError(name + " survived SIGKILL for 30 s");
      }
    }

    /** SIGTERM, then SIGKILL if it has not drained within 30 s. */
    @Override
    public void close() throws InterruptedException {
      if (process == null || !process.isAlive()) {
        return;
      }
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
