package io.consensus.etcd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away PKI made with the system's {@code openssl}: a CA, a server certificate for
 * 127.0.0.1 and a client certificate, all PEM, in {@code dir}.
 */
public record TestCertificates(Path dir, Path caCert, Path serverCert, Path serverKey, Path clientCert,
                               Path clientKey) {

  /** Creates a fresh CA with a server and a client certificate under {@code dir}. */
  public static TestCertificates create(Path dir) {
    try {
      Files.createDirectories(dir);
      Path ext = dir.resolve("ext.cnf");
      Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
      openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
          "-days", "2", "-subj", "/CN=allocator-test-ca");
      for (String who : List.of("server", "client")) {
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr",
            "-subj", "/CN=" + (who.equals("server") ? "127.0.0.1" : "allocator-client"));
        openssl(dir, "x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", who + ".crt", "-days", "2", "-extfile", "ext.cnf");
      }
      return new TestCertificates(dir, dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"),
          dir.resolve("client.crt"), dir.resolve("client.key"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot create test certificates", e);
    }
  }

  private static void openssl(Path dir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    try {
      if (p.waitFor() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** etcd flags serving TLS with these certificates, demanding client certificates. */
  public List<String> etcdServerFlags() {
    return List.of("--cert-file", serverCert.toString(), "--key-file", serverKey.toString(),
        "--trusted-ca-file", caCert.toString(), "--client-cert-auth");
  }

  /**
   * Starts an etcd serving only {@code https://127.0.0.1:clientPort} with these certificates
   * (client certificates demanded), its data and log under {@code dir}; waits until etcd logs
   * that it serves clients. The caller destroys the process.
   */
  public Process startEtcd(Path dir, int clientPort, int peerPort) throws IOException {
    String endpoint = "https://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    java.util.List<String> cmd = new java.util.ArrayList<>(List.of("etcd", "--name", "tls",
        "--data-dir", dir.resolve("data").toString(), "--listen-client-urls", endpoint,
        "--advertise-client-urls", endpoint, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "tls=" + peer));
    cmd.addAll(etcdServerFlags());
    Path log = dir.resolve("etcd.log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("ETCD_"));
    Process etcd = pb.start();
    io.consensus.testing.Await.until("TLS etcd serves clients", java.time.Duration.ofSeconds(30), () -> {
      try {
        return java.nio.file.Files.readString(log).contains("serving client traffic securely")
            || java.nio.file.Files.readString(log).contains("ready to serve client requests");
      } catch (IOException e) {
        return false;
      }
    }, () -> "etcd exited: " + !etcd.isAlive());
    return etcd;
  }
}
