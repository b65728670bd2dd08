package dev.berth.registry;

/** The rule shared by every delete endpoint: like Docker Registry, deletes are off unless enabled. */
final class Deletes {
  private Deletes() {}

  static void requireEnabled(RegistrySettings settings) {
    if (!settings.deleteEnabled()) {
      throw new RegistryException(ErrorCode.UNSUPPORTED, "deletes are disabled (storage.delete.enabled)");
    }
  }
}
