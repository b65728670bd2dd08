package dev.berth.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, for what {@link java.net.http.HttpClient} will not do: send the
 * request target byte for byte (no normalisation, any encoding), set restricted headers such as
 * {@code Content-Length}, and show whether a HEAD response really carries no body. Every request
 * is sent with {@code Connection: close}; the response is read to the end of the stream, so any
 * byte after the header block is body.
 */
public final class RawHttp {
  private static final int TIMEOUT_MILLIS = 15_000;

  private RawHttp() {}

  public record Response(int status, Map<String, List<String>> headers, byte[] body) {
    public Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  public static Response send(int port, String method, String target) throws IOException {
    return send(port, method, target, Map.of(), null);
  }

  /**
   * @param headers extra headers, sent as given (a {@code Content-Length} here replaces the one
   *     derived from the body)
   */
  public static Response send(int port, String method, String target, Map<String, String> headers, byte[] body)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(TIMEOUT_MILLIS);
      StringBuilder head = new StringBuilder()
          .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1:").append(port).append("\r\n")
          .append("Connection: close\r\n");
      boolean explicitLength = headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Content-Length"));
      if (body != null && !explicitLength) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
      head.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      return parse(socket.getInputStream().readAllBytes());
    }
  }

  /**
   * One persistent connection, for tests of what happens between requests: the caller writes raw
   * bytes and reads one response at a time.
   */
  public static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    public Connection(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      in = new BufferedInputStream(socket.getInputStream());
    }

    public void write(String text) throws IOException {
      write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void write(byte[] bytes) throws IOException {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
    }

    /** The next response (its body read by Content-Length), or empty when the server closed the connection. */
    public Optional<Response> read() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      int c;
      while (matched < 4 && (c = in.read()) >= 0) {
        head.write(c);
        matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
      }
      if (matched < 4) {
        return Optional.empty();
      }
      Response parsed = parse(head.toByteArray());
      int length = parsed.header("Content-Length").map(Integer::parseInt).orElse(0);
      return Optional.of(new Response(parsed.status(), parsed.headers(), in.readNBytes(length)));
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static Response parse(byte[] raw) {
    int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    if (end < 0) {
      throw new IllegalStateException("no complete response head in: " + new String(raw, StandardCharsets.ISO_8859_1));
    }
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(lines[i].substring(colon + 1).trim());
    }
    byte[] rest = Arrays.copyOfRange(raw, end + 4, raw.length);
    boolean chunked = headers.getOrDefault("transfer-encoding", List.of()).stream()
        .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"));
    return new Response(status, headers, chunked ? dechunk(rest) : rest);
  }

  private static byte[] dechunk(byte[] encoded) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    InputStream in = new ByteArrayInputStream(encoded);
    try {
      while (true) {
        String sizeLine = readLine(in);
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        if (size == 0) {
          return body.toByteArray();
        }
        body.write(in.readNBytes(size));
        readLine(in);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
