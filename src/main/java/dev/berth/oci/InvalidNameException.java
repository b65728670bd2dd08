package dev.berth.oci;

public final class InvalidNameException extends OciFormatException {
  public InvalidNameException(String message) {
    super(message);
  }
}
