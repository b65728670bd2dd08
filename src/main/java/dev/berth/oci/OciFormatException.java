package dev.berth.oci;

/**
 * Input that does not follow the OCI grammar. Subclasses say which grammar, so the HTTP layer can
 * pick the spec's error code without parsing messages.
 */
public abstract sealed class OciFormatException extends IllegalArgumentException
    permits InvalidDigestException, InvalidNameException, InvalidTagException, InvalidManifestException {

  protected OciFormatException(String message) {
    super(message);
  }
}
