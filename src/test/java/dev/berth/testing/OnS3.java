package dev.berth.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a subclass of a test class that runs its parent's tests again with blobs on S3 (s3proxy),
 * the parent choosing its fixture by {@link BlobBackend#of}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface OnS3 {}
