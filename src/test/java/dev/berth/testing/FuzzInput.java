package dev.berth.testing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How the fuzz targets frame two inputs in one byte array: the first line (up to the first
 * {@code \n}) and the bytes after it. Raw bytes rather than Jazzer's FuzzedDataProvider keep the
 * committed seed files readable and writable by hand: {@code application/vnd.oci.image.manifest.v1+json}
 * on the first line, the manifest below it.
 */
public record FuzzInput(String firstLine, byte[] rest) {

  public static FuzzInput of(byte[] data) {
    int newline = 0;
    while (newline < data.length && data[newline] != '\n') {
      newline++;
    }
    String first = new String(data, 0, newline, StandardCharsets.UTF_8);
    byte[] rest = newline < data.length ? Arrays.copyOfRange(data, newline + 1, data.length) : new byte[0];
    return new FuzzInput(first, rest);
  }

  public String restAsText() {
    return new String(rest, StandardCharsets.UTF_8);
  }
}
