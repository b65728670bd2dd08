package dev.berth.oci;

public final class InvalidManifestException extends OciFormatException {
  public InvalidManifestException(String message) {
    super(message);
  }
}
