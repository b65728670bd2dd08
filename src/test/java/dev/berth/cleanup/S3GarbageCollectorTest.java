package dev.berth.cleanup;

import dev.berth.testing.OnS3;

/** Every test of {@link GarbageCollectorTest}, with the blobs on S3. */
@OnS3
class S3GarbageCollectorTest extends GarbageCollectorTest {}
