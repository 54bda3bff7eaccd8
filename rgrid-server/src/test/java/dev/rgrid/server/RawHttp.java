package dev.rgrid.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 by hand over one socket, for what a client library hides: a response read while the
 * body is still being sent, and whether the server closes the connection.
 */
final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  /** A response: status, headers (names in lower case) and body. */
  record Response(int status, Map<String, String> headers, String body) {
    JsonNode json() {
      try {
        return Api.JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  RawHttp(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    // Only a safety net: a test that waits this long has failed already.
    socket.setSoTimeout(60_000);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  /** Sends a request head; {@code headers} are whole lines such as "Content-Length: 5". */
  void head(String method, String path, String key, String... headers) throws IOException {
    StringBuilder b = new StringBuilder(method).append(' ').append(path)
        .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (key != null) {
      b.append("Authorization: Bearer ").append(key).append("\r\n");
    }
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    write(b.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** One chunk of {@code size} bytes of a chunked body ({@code 0}: the last chunk). */
  void chunk(int size) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(size + 16);
    b.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    b.writeBytes("x".repeat(size).getBytes(StandardCharsets.US_ASCII));
    b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    if (size == 0) {
      b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII)); // no trailers
    }
    write(b.toByteArray());
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /**
   * Goes on sending body bytes (raw, or as chunks) until the server stops taking them; the
   * bytes sent, or {@code limit} when it took them all.
   */
  long sendUntilRefused(long limit, boolean chunked) {
    long sent = 0;
    try {
      while (sent < limit) {
        if (chunked) {
          chunk(64 * 1024);
        } else {
          write(new byte[64 * 1024]);
        }
        sent += 64 * 1024;
      }
    } catch (IOException e) {
      return sent; // broken pipe or reset: the server closed the connection
    }
    return sent;
  }

  /** Reads one response (a body with a Content-Length, or none). */
  Response read() throws IOException {
    return read(false);
  }

  /**
   * Reads one response: its body by Content-Length or in chunks, none when {@code headOnly} (the
   * answer to a HEAD has none, whatever its headers say).
   */
  Response read(boolean headOnly) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the connection ended within a response head: " + head);
      }
      head.write(c);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    String length = headers.get("content-length");
    byte[] body = headOnly || status == 204 || status == 304 ? new byte[0]
        : "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? chunks()
        : length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /** A chunked body, trailers skipped. */
  private byte[] chunks() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line();
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (n == 0) {
        while (!line().isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      body.writeBytes(in.readNBytes(n));
      line(); // the CRLF after the chunk
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("the connection ended within a chunked body");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  /** Whether the server closed the connection: end of stream (or a reset, when strict is off). */
  boolean closedByServer(boolean strict) throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketException e) {
      if (strict) {
        throw e;
      }
      return true; // "Connection reset": closed, with our unread bytes in its buffer
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
