package io.consensus.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GETs from a member's status server on loopback; null when it does not answer in time. */
final class HttpFetch {
  private final HttpClient client;
  private final Duration timeout;

  HttpFetch(Duration timeout) {
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** The body whatever the status (/health answers 503 with a body), or null. */
  String get(int port, String path) {
    return get("http://127.0.0.1:" + port + path);
  }

  /** As {@link #get(int, String)}, for a whole URL. */
  String get(String url) {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build();
      return client.send(req, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
