package io.consensus.etcd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a client proves itself to etcd and checks etcd: TLS files (a CA to trust, and
 * optionally a client certificate and key, all PEM) and etcd user credentials. Immutable.
 *
 * <p>The password never appears in {@link #toString()} or in any message this class
 * produces.
 */
public final class EtcdSecurity {
  /** No TLS files, no credentials: plain {@code http://} endpoints, no authentication. */
  public static final EtcdSecurity NONE = new EtcdSecurity(null, null, null, null, null);

  private final String caFile;
  private final String certFile;
  private final String keyFile;
  private final String user;
  private final String password;

  private EtcdSecurity(String caFile, String certFile, String keyFile, String user, String password) {
    this.caFile = caFile;
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.user = user;
    this.password = password;
  }

  /**
   * A copy with TLS files: {@code caFile} (PEM CA certificates to trust; null = the JVM's
   * default trust store), {@code certFile} and {@code keyFile} (PEM client certificate and
   * PKCS#8 or PKCS#1 key; both or neither).
   */
  public EtcdSecurity withTls(String caFile, String certFile, String keyFile) {
    return new EtcdSecurity(blankToNull(caFile), blankToNull(certFile), blankToNull(keyFile), user, password);
  }

  /** A copy with etcd user credentials (both or neither). */
  public EtcdSecurity withCredentials(String user, String password) {
    return new EtcdSecurity(caFile, certFile, keyFile, blankToNull(user), password == null || password.isEmpty()
        ? null : password);
  }

  public String caFile() {
    return caFile;
  }

  public String certFile() {
    return certFile;
  }

  public String keyFile() {
    return keyFile;
  }

  public String user() {
    return user;
  }

  /** The password; never log it. */
  public String password() {
    return password;
  }

  /** Whether any TLS file is set. */
  public boolean hasTlsFiles() {
    return caFile != null || certFile != null || keyFile != null;
  }

  /** Whether user credentials are set. */
  public boolean hasCredentials() {
    return user != null;
  }

  /**
   * Checks the combination and that the files are readable.
   *
   * @throws IllegalArgumentException whose message starts with the offending key
   *     ({@code etcd.tls.certFile}, {@code etcd.password}, ...) and never holds the password
   */
  public EtcdSecurity validate() {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException((certFile == null ? "etcd.tls.certFile" : "etcd.tls.keyFile")
          + ": a client certificate needs both etcd.tls.certFile and etcd.tls.keyFile");
    }
    readable("etcd.tls.caFile", caFile);
    readable("etcd.tls.certFile", certFile);
    readable("etcd.tls.keyFile", keyFile);
    if (user != null && password == null) {
      throw new IllegalArgumentException("etcd.password: required with etcd.user");
    }
    if (user == null && password != null) {
      throw new IllegalArgumentException("etcd.user: required with etcd.password");
    }
    return this;
  }

  private static void readable(String key, String file) {
    if (file != null && !Files.isReadable(Path.of(file))) {
      throw new IllegalArgumentException(key + ": cannot read file '" + file + "'");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EtcdSecurity s && Objects.equals(caFile, s.caFile) && Objects.equals(certFile, s.certFile)
        && Objects.equals(keyFile, s.keyFile) && Objects.equals(user, s.user) && Objects.equals(password, s.password);
  }

  @Override
  public int hashCode() {
    return Objects.hash(caFile, certFile, keyFile, user);
  }

  @Override
  public String toString() {
    return "EtcdSecurity[caFile=" + caFile + ", certFile=" + certFile + ", keyFile=" + keyFile + ", user=" + user
        + ", password=" + (password == null ? "none" : "****") + "]";
  }
}
