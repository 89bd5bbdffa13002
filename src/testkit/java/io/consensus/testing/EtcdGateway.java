package io.consensus.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Blocking calls to etcd's JSON gRPC gateway (keeps the test kit free of any gRPC
 * client). int64 fields come back as JSON strings, bytes as base64.
 */
final class EtcdGateway {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2))
      .version(HttpClient.Version.HTTP_1_1)
      .build();

  private EtcdGateway() {
  }

  static JsonObject post(int clientPort, String path, JsonObject body) {
    return post(clientPort, path, body, Duration.ofSeconds(10));
  }

  static JsonObject post(int clientPort, String path, JsonObject body, Duration timeout) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPort + path))
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
          .build();
      HttpResponse<String> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
      JsonObject json = new JsonObject(resp.body());
      if (resp.statusCode() != 200) {
        throw new EtcdGatewayException(path + " failed (" + resp.statusCode() + "): " + json.encode(), json);
      }
      return json;
    } catch (IOException e) {
      throw new UncheckedIOException(path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static long revision(JsonObject resp) {
    return Long.parseLong(resp.getJsonObject("header").getString("revision", "0"));
  }

  /** A gateway error answer. */
  static final class EtcdGatewayException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    final transient JsonObject body;

    EtcdGatewayException(String message, JsonObject body) {
      super(message);
      this.body = body;
    }
  }
}
