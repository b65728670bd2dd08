package dev.berth.oci;

public final class InvalidTagException extends OciFormatException {
  public InvalidTagException(String message) {
    super(message);
  }
}
