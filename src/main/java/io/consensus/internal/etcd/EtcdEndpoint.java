package io.consensus.internal.etcd;

import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * One etcd client URL ({@code http://host:port}, or {@code https://host:port} for TLS), parsed.
 *
 * @param url     the URL as given (normalised without trailing slash)
 * @param address the socket address to connect to
 */
public record EtcdEndpoint(String url, SocketAddress address) {

  /** Whether the endpoint speaks TLS ({@code https://}). */
  public boolean tls() {
    return url.startsWith("https://");
  }

  /** Parses {@code http(s)://host:port}; anything else fails with a message naming the input. */
  public static EtcdEndpoint parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("etcd endpoint is empty; expected http://host:port");
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad etcd endpoint '" + url + "': expected http://host:port", e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("bad etcd endpoint '" + url + "': expected http://host:port or https://host:port");
    }
    if (uri.getHost() == null || uri.getPort() <= 0
        || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
        || uri.getQuery() != null || uri.getUserInfo() != null) {
      throw new IllegalArgumentException("bad etcd endpoint '" + url + "': expected http://host:port");
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // IPv6 literal
    }
    return new EtcdEndpoint(scheme + "://" + uri.getHost() + ":" + uri.getPort(),
        SocketAddress.inetSocketAddress(uri.getPort(), host));
  }

  @Override
  public String toString() {
    return url;
  }
}
