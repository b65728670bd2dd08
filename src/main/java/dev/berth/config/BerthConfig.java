package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The configuration file's model. Keys follow Docker Registry's where the meaning is the same;
 * {@code database} is Berth's own. Fields hold defaults; {@link ConfigLoader} fills and validates them.
 */
public final class BerthConfig {
  public String version = "0.1";
  public Log log = new Log();
  public Http http = new Http();
  public Storage storage = new Storage();
  public Database database = new Database();
  public Gc gc = new Gc();
  public Scheduler scheduler = new Scheduler();
  /**
   * Berth's own key: where its local files (SQLite metadata, the serve lock, the token signing key)
   * live when blobs are in object storage; absent: {@code ./data}. With {@code storage.filesystem}
   * they live under its root directory, and this key is refused.
   */
  public String datadirectory;
  /** Absent: the registry API is open, as Docker Registry's is without an auth section. */
  public Auth auth;

  /** Access control: users in the database, Docker's token flow, optional htpasswd file. */
  public static final class Auth {
    public Token token = new Token();
    public Htpasswd htpasswd = new Htpasswd();
    public Admin admin = new Admin();
  }

  public static final class Token {
    /** Where clients fetch tokens; empty: {@code /token} at the external URL (see {@code http.host}). */
    public String realm = "";
    public String service = "berth";
    public String expiration = "5m";
    /**
     * A JWK file with the EC P-256 private key that signs tokens, the same on every replica so that
     * each accepts the others' tokens (e.g. a copy of the one a server generated); empty: generated
     * once in the data directory.
     */
    public String signingkey = "";
  }

  public static final class Htpasswd {
    /** Docker Registry's htpasswd file (bcrypt); its users may do everything, as there. */
    public String path = "";
    public String realm = "berth";
  }

  public static final class Admin {
    /** The first admin's password, used once when no user exists; empty: generated and printed. */
    public String password = "";
  }

  /** Berth's own section: online garbage collection. */
  public static final class Gc {
    /** UNIX cron expression for scheduled runs, e.g. {@code 0 3 * * *}; empty for none. */
    public String schedule = "";
    /** Scheduled runs also collect untagged manifests. */
    public boolean deleteuntagged = false;
    /** Nothing younger than this is collected. */
    public String grace = "24h";
    /** Upload sessions idle longer than this are purged. */
    public String uploadmaxage = "168h";
  }

  /** The jobs run on a schedule: GC, storage samples. */
  public static final class Scheduler {
    /**
     * False on replicas that leave scheduled jobs to a {@code berth worker}. With several processes
     * scheduling, each occurrence still runs in one of them.
     */
    public boolean enabled = true;
  }

  public static final class Log {
    /** error, warn, info, debug (Docker Registry's levels; {@code panic} and {@code fatal} map to error). */
    public String level = "info";
    public AccessLog accesslog = new AccessLog();
  }

  public static final class AccessLog {
    public boolean disabled = false;
  }

  public static final class Http {
    /** Where to listen; not what clients are told (that is {@link #host}). */
    public String addr = "127.0.0.1:5000";
    /**
     * The externally visible base URL, e.g. {@code https://registry.example.com}, as in Docker
     * Registry; empty: taken from proxy headers or the request.
     */
    public String host = "";
    /** How long SIGTERM waits for in-flight requests, e.g. {@code 30s}. */
    public String draintimeout = "30s";
    public Tls tls = new Tls();
  }

  /** Serve HTTPS instead of HTTP when both are set. */
  public static final class Tls {
    /** PEM file: the server's certificate, then its chain. */
    public String certificate = "";
    /** PEM file: its private key (PKCS#8, PKCS#1 RSA or SEC1 EC), not encrypted. */
    public String key = "";
  }

  /** Exactly one of {@code filesystem} and {@code s3}; neither means the filesystem under {@code ./data}. */
  public static final class Storage {
    public Filesystem filesystem;
    public S3 s3;
    public Redirect redirect = new Redirect();
    public Delete delete = new Delete();
    public Manifests manifests = new Manifests();
  }

  /** Docker Registry's {@code s3} driver's keys, for any S3-compatible store. */
  public static final class S3 {
    public String region;
    /** The endpoint of an S3-compatible store (MinIO, Ceph RGW, s3proxy); absent for AWS itself. */
    public String regionendpoint;
    public String bucket;
    /** A key prefix inside the bucket. */
    public String rootdirectory = "";
    /** Absent: the SDK's default credential chain (environment, profile, instance role). */
    public String accesskey;
    public String secretkey;
    public boolean forcepathstyle = false;
    /** Multipart part size, at least 5 MiB. */
    public long chunksize = 10L * 1024 * 1024;
  }

  public static final class Redirect {
    /** With object storage, a blob GET answers 307 to a pre-signed URL unless this is true. */
    public boolean disable = false;
  }

  public static final class Filesystem {
    public String rootdirectory = "./data";
  }

  public static final class Delete {
    public boolean enabled = false;
  }

  public static final class Manifests {
    /** Largest manifest accepted, in bytes. */
    public int maxsize = 4 * 1024 * 1024;
  }

  public static final class Database {
    /** {@code sqlite} (a file under the storage root) or {@code postgres}. */
    public String driver = "sqlite";
    /** For sqlite, the file (default {@code <rootdirectory>/berth/metadata.db}); for postgres, a JDBC URL. */
    public String url = "";
    public String user = "";
    public String password = "";
    @JsonProperty("maxconnections")
    public int maxConnections = 16;
  }
}
