package dev.berth.http;

import dev.berth.testing.OnS3;

/** Every test of {@link ListingApiTest}, with the registry's blobs on S3. */
@OnS3
class S3ListingApiTest extends ListingApiTest {}
