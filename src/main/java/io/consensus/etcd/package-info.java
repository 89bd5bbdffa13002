/**
 * The public face of the etcd client: {@code EtcdClientOptions} (endpoints, call timeout, TLS
 * and credentials: how every client of the project reaches etcd, composed into the member's,
 * the spectator's and the admin client's options), {@code EtcdSecurity} (TLS and credentials), and the
 * errors a call can end in ({@code EtcdCallException}, {@code EtcdAuthenticationException}).
 * The client itself is in {@code internal.etcd}.
 *
 * <p>May import: {@code config} (ConfigException), {@code internal.config} (the JSON schema
 * reader, used privately).
 */
package io.consensus.etcd;
