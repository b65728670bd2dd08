package dev.berth.bench;

import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepositoryName;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The validation every /v2 request does on its path: repository name, tag or digest reference. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NamesBench {

  public String repository = "team/platform/api-server";
  public String tag = "v1.24.3-alpine";
  public String digest = "sha256:" + ManifestParseBench.hex(7);

  @Benchmark
  public RepositoryName repositoryNameOf() {
    return RepositoryName.of(repository);
  }

  @Benchmark
  public Reference referenceParseTag() {
    return Reference.parse(tag);
  }

  @Benchmark
  public Reference referenceParseDigest() {
    return Reference.parse(digest);
  }

  @Benchmark
  public Digest digestParse() {
    return Digest.parse(digest);
  }
}
