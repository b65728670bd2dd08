package dev.berth.oci;

public final class InvalidDigestException extends OciFormatException {
  public InvalidDigestException(String message) {
    super(message);
  }
}
