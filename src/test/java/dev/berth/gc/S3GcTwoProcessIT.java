package dev.berth.gc;

import dev.berth.testing.OnS3;

/** Every test of {@link GcTwoProcessIT} with the blobs in an S3 bucket (s3proxy in the test's JVM). */
@OnS3
class S3GcTwoProcessIT extends GcTwoProcessIT {}
