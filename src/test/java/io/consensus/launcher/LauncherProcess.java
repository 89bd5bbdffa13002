package io.consensus.launcher;

import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged jar ({@code -Dlauncher.jar}, set by failsafe) running as a child process,
 * with its stdout and stderr in files, and blocking helpers that poll with a deadline.
 */
final class LauncherProcess implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path out;
  private final Path err;
  private int httpPort = -1;

  private LauncherProcess(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  static Path jar() {
    String jar = System.getProperty("launcher.jar", "target/etcd-allocator.jar");
    Path p = Path.of(jar);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(p + " missing: run 'mvn verify' (the *IT tests need the packaged jar)");
    }
    return p;
  }

  static Path basedir() {
    return Path.of(System.getProperty("launcher.basedir", "."));
  }

  /** {@code java -jar etcd-allocator.jar -conf <conf>} with {@code env} added (a null value removes). */
  static LauncherProcess start(String conf, Map<String, String> env) {
    return startArgs(List.of("-conf", conf), env);
  }

  /** {@code java -jar etcd-allocator.jar <args>} with {@code env} added (a null value removes). */
  static LauncherProcess startArgs(List<String> args, Map<String, String> env) {
    try {
      Path dir = Files.createTempDirectory("launcher-it-");
      Path out = dir.resolve("stdout.log");
      Path err = dir.resolve("stderr.log");
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          // Small and quick to start: the machine is shared.
          "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx192m",
          "-jar", jar().toString()));
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("ALLOCATOR_") || k.equals("ETCD_BIN"));
      env.forEach((k, v) -> {
        if (v == null) {
          pb.environment().remove(k);
        } else {
          pb.environment().put(k, v);
        }
      });
      return new LauncherProcess(pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  String stdout() {
    return read(out);
  }

  String stderr() {
    return read(err);
  }

  /** Waits for a stdout line matching {@code regex}; returns its match. */
  Matcher awaitLine(String regex) {
    Pattern p = Pattern.compile(regex);
    Matcher[] found = new Matcher[1];
    await("stdout line /" + regex + "/", () -> {
      for (String line : stdout().split("\n")) {
        Matcher m = p.matcher(line);
        if (m.find()) {
          found[0] = m;
          return true;
        }
      }
      if (!process.isAlive()) {
        fail("process exited (" + process.exitValue() + ") before /" + regex + "/; " + output());
      }
      return false;
    });
    return found[0];
  }

  /** The HTTP port the member logged. */
  int httpPort() {
    if (httpPort < 0) {
      httpPort = Integer.parseInt(awaitLine("HTTP status on port (\\d+)").group(1));
    }
    return httpPort;
  }

  /** GET {@code path} on the member's HTTP server: status and body. */
  HttpResponse<String> get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  JsonObject getJson(String path) {
    return new JsonObject(get(path).body());
  }

  void signal(String name) {
    try {
      new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the process to exit; returns its exit code. */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        fail("still running after " + timeout + "; " + output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return process.exitValue();
  }

  String output() {
    return "stdout:\n" + stdout() + "\nstderr:\n" + stderr();
  }

  static void await(String what, Supplier<Boolean> condition) {
    io.consensus.testing.Await.until(what, WAIT, condition::get);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Kills the process if it still runs (SIGKILL: a failed test must not wait for hand-offs). */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
