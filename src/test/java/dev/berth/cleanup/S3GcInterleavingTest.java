package dev.berth.cleanup;

import dev.berth.testing.OnS3;

/** Every test of {@link GcInterleavingTest}, with the blobs on S3. */
@OnS3
class S3GcInterleavingTest extends GcInterleavingTest {}
