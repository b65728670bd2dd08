package dev.berth.metadata;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaType;
import java.util.Map;
import java.util.Optional;

/** A manifest whose subject is a given digest, as one entry of a referrers index. */
public record Referrer(
    Digest digest, MediaType mediaType, long size, Optional<String> artifactType, Map<String, String> annotations) {}
