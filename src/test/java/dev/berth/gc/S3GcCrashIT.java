package dev.berth.gc;

import dev.berth.testing.OnS3;

/**
 * Every test of {@link GcCrashIT} with the blobs in an S3 bucket (s3proxy in the test's JVM, which
 * outlives every killed server): after each SIGKILL no live blob row names an object missing from
 * the bucket, and the next collection completes.
 */
@OnS3
class S3GcCrashIT extends GcCrashIT {}
