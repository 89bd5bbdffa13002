package io.consensus.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian package {@code chromium}, or {@code CHROMIUM_BIN}) showing one
 * page, driven through the DevTools protocol over its WebSocket: the test evaluates JavaScript
 * in the live page, so it sees what the page's own scripts made of the DOM, without reloading.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  static String binary() {
    String bin = System.getenv("CHROMIUM_BIN");
    if (bin != null) {
      return bin;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      for (String name : List.of("chromium", "chromium-browser")) {
        if (Files.isExecutable(Path.of(dir, name))) {
          return Path.of(dir, name).toString();
        }
      }
    }
    throw new IllegalStateException("chromium not found: apt-get install chromium (as .ci/run does) or set CHROMIUM_BIN");
  }

  /** Starts Chromium on {@code url} and connects to the page's DevTools endpoint. */
  static HeadlessChromium open(String url) {
    return open(url, 1200, 900);
  }

  /** Starts Chromium with a window of {@code width} x {@code height} on {@code url}. */
  static HeadlessChromium open(String url, int width, int height) {
    try {
      Path profile = Files.createTempDirectory("chromium-it-");
      Process p = new ProcessBuilder(binary(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
          "--disable-extensions", "--remote-debugging-port=0", "--user-data-dir=" + profile,
          "--window-size=" + width + "," + height, url)
          .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
      Path portFile = profile.resolve("DevToolsActivePort");
      LauncherProcess.await("chromium's DevTools port", () -> {
        try {
          return Files.isRegularFile(portFile) && Files.readAllLines(portFile).size() >= 2;
        } catch (IOException e) {
          return false;
        }
      });
      int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
      String[] ws = new String[1];
      LauncherProcess.await("chromium's page target", () -> {
        JsonArray targets = new JsonArray(get("http://127.0.0.1:" + port + "/json/list"));
        for (Object o : targets) {
          JsonObject t = (JsonObject) o;
          if ("page".equals(t.getString("type")) && t.getString("url", "").startsWith(url)) {
            ws[0] = t.getString("webSocketDebuggerUrl");
          }
        }
        return ws[0] != null;
      });
      HeadlessChromium[] self = new HeadlessChromium[1];
      WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(URI.create(ws[0]), new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            JsonObject msg = new JsonObject(text.toString());
            text.setLength(0);
            CompletableFuture<JsonObject> f = self[0] == null ? null : self[0].pending.remove(msg.getInteger("id", -1));
            if (f != null) {
              f.complete(msg);
            }
          }
          webSocket.request(1);
          return null;
        }
      }).get(30, TimeUnit.SECONDS);
      self[0] = new HeadlessChromium(p, profile, socket);
      return self[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot drive chromium: " + e, e);
    }
  }

  /** Evaluates {@code expression} in the page; returns its value (JSON-compatible), or null. */
  Object eval(String expression) {
    JsonObject r = call("Runtime.evaluate", new JsonObject().put("expression", expression).put("returnByValue", true));
    JsonObject result = r.getJsonObject("result", new JsonObject());
    if (result.containsKey("exceptionDetails")) {
      throw new IllegalStateException("page script failed: " + result.getJsonObject("exceptionDetails"));
    }
    return result.getJsonObject("result", new JsonObject()).getValue("value");
  }

  /** A PNG screenshot of the page. */
  byte[] screenshot() {
    String data = call("Page.captureScreenshot", new JsonObject().put("format", "png"))
        .getJsonObject("result").getString("data");
    return java.util.Base64.getDecoder().decode(data);
  }

  /**
   * Writes a screenshot of {@code url} to {@code args[1]} once its grid has rows:
   * {@code mvn -q exec:java -Dexec.classpathScope=test
   * -Dexec.mainClass=io.consensus.launcher.HeadlessChromium -Dexec.args="URL FILE.png"}.
   */
  public static void main(String[] args) throws IOException {
    try (HeadlessChromium page = open(args[0], 900, 800)) {
      LauncherProcess.await("grid rendered", () -> Boolean.TRUE.equals(
          page.eval("document.querySelectorAll('#rows tr[data-item]').length > 0")));
      Files.write(Path.of(args[1]), page.screenshot());
    }
  }

  private JsonObject call(String method, JsonObject params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> f = new CompletableFuture<>();
    pending.put(id, f);
    socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true);
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(method + " got no answer: " + e, e);
    }
  }

  private static String get(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    socket.abort();
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind
    }
  }
}
