package dev.berth.http;

import dev.berth.testing.OnS3;

/** Every test of {@link AuthApiTest}, with the registry's blobs on S3. */
@OnS3
class S3AuthApiTest extends AuthApiTest {}
