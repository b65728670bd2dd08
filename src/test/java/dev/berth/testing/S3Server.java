package dev.berth.testing;

import dev.berth.config.Settings;
import dev.berth.storage.s3.S3Settings;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A real S3 server for tests: s3proxy in this JVM on a free loopback port, keeping its objects
 * under a directory, with one bucket created and AWS v4 signatures checked.
 */
public final class S3Server implements AutoCloseable {
  public static final String BUCKET = "registry";
  public static final String ACCESS_KEY = "berth-access";
  public static final String SECRET_KEY = "berth-secret";

  private final S3Proxy proxy;
  private final Faults faults;

  private S3Server(S3Proxy proxy, Faults faults) {
    this.proxy = proxy;
    this.faults = faults;
  }

  public static S3Server start(Path directory) throws Exception {
    FilesystemNio2BlobStore objects = new FilesystemNio2BlobStore(directory.toAbsolutePath().toString());
    objects.createContainer(BUCKET);
    Faults faults = new Faults();
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(faults.around(objects))
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    // start() returns before the connector is bound on some versions; wait until it is.
    while (!"STARTED".equals(proxy.getState())) {
      Thread.sleep(5);
    }
    return new S3Server(proxy, faults);
  }

  /** Makes the server fail requests on demand, as an overloaded or broken object store does. */
  public Faults faults() {
    return faults;
  }

  /**
   * Fails every n-th request with S3's 503 SlowDown, while switched on: real HTTP 503s that the
   * client's retry policy sees. (A part copy counts twice: its read and its write.)
   */
  public static final class Faults {
    /**
     * The store operation each S3 request the blob store makes comes down to; s3proxy's other calls
     * (what the store supports, part size limits, part listings) are steps of those requests.
     */
    private static final java.util.Set<String> REQUESTS = java.util.Set.of("putBlob", "getBlob", "blobMetadata", "list",
        "removeBlob", "removeBlobs", "copyBlob", "initiateMultipartUpload", "uploadMultipartPart",
        "completeMultipartUpload", "abortMultipartUpload");
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong injected = new AtomicLong();
    private volatile int every;
    private final AtomicLong held = new AtomicLong();
    private volatile java.util.Set<String> holding = java.util.Set.of();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final java.util.Queue<String> reads = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Fails every {@code n}-th operation from now on; 1 fails them all. */
    public void failEvery(int n) {
      every = n;
    }

    public void off() {
      every = 0;
    }

    /** How many failures were answered so far. */
    public long injected() {
      return injected.get();
    }

    /**
     * Holds every request that comes down to one of {@code operations} (e.g. {@code removeBlob},
     * {@code removeBlobs}) inside the server, before the store acts, until {@link #release()}: a
     * client caught in the middle of such a request, for as long as the test needs it there.
     */
    public void hold(String... operations) {
      gate = new CountDownLatch(1);
      holding = java.util.Set.of(operations);
    }

    /** How many requests are being held right now. */
    public long held() {
      return held.get();
    }

    /** Lets every held request (and every later one) go on to the store. */
    public void release() {
      holding = java.util.Set.of();
      gate.countDown();
    }

    org.gaul.s3proxy.blobstore.BlobStore around(org.gaul.s3proxy.blobstore.BlobStore store) {
      return (org.gaul.s3proxy.blobstore.BlobStore) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {org.gaul.s3proxy.blobstore.BlobStore.class}, (self, method, args) -> {
            if (method.getName().equals("getBlob")) {
              reads.add(args[0] instanceof software.amazon.awssdk.services.s3.model.GetObjectRequest get ? get.key() : (String) args[1]);
            }
            if (holding.contains(method.getName())) {
              awaitRelease();
            }
            int n = every;
            if (n > 0 && REQUESTS.contains(method.getName()) && operations.incrementAndGet() % n == 0) {
              injected.incrementAndGet();
              throw S3Exception.builder().statusCode(503).message("injected fault")
                  .awsErrorDetails(AwsErrorDetails.builder().errorCode("SlowDown").errorMessage("injected fault").build())
                  .build();
            }
            try {
              return method.invoke(store, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    /** The keys of the objects read (GET, and the read half of a part copy) since the last call, in order. */
    public java.util.List<String> drainReads() {
      java.util.List<String> read = new java.util.ArrayList<>();
      for (String key = reads.poll(); key != null; key = reads.poll()) {
        read.add(key);
      }
      return read;
    }

    /** Bounded, so that a test that forgets to release cannot hang the server's threads for good. */
    private void awaitRelease() throws InterruptedException {
      held.incrementAndGet();
      try {
        gate.await(2, TimeUnit.MINUTES);
      } finally {
        held.decrementAndGet();
      }
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** Settings for a store on this server's bucket under {@code rootDirectory}. */
  public S3Settings settings(String rootDirectory, boolean redirect) {
    return new S3Settings("us-east-1", Optional.of(endpoint()), BUCKET, rootDirectory,
        Optional.of(new S3Settings.Credentials(ACCESS_KEY, SECRET_KEY)), true, S3Settings.MIN_CHUNK_SIZE,
        redirect ? Optional.of(Duration.ofMinutes(20)) : Optional.empty());
  }

  /** The same, as a server's configuration names it. */
  public Settings.S3Blobs blobs(String rootDirectory, boolean redirect) {
    return new Settings.S3Blobs("us-east-1", Optional.of(endpoint()), BUCKET, rootDirectory, Optional.of(ACCESS_KEY),
        Optional.of(SECRET_KEY), true, S3Settings.MIN_CHUNK_SIZE, redirect);
  }

  /** A plain client on the bucket, for a test to look at (or tamper with) what the store wrote. */
  public S3Client client() {
    return S3Client.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint())
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
