package dev.berth.registry;

/**
 * Policy knobs of the registry's use cases.
 *
 * @param deleteEnabled Docker Registry's {@code storage.delete.enabled}: off by default
 * @param maxManifestBytes manifests larger than this are refused (the spec suggests 4 MiB)
 */
public record RegistrySettings(boolean deleteEnabled, int maxManifestBytes) {

  public static final int DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

  public static RegistrySettings defaults() {
    return new RegistrySettings(false, DEFAULT_MAX_MANIFEST_BYTES);
  }
}
