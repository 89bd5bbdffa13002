/**
 * etcd v3 over gRPC with vertx-grpc-client: {@code EtcdConnection} (unary calls and streams on
 * the caller's context, endpoint rotation, call timeouts), key and value helpers, call errors,
 * and {@code Backoff}, the one retry back-off of the project.
 *
 * <p>May import: {@code tree}.
 */
package io.consensus.etcd;
