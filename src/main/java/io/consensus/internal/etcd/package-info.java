/**
 * etcd v3 over gRPC with vertx-grpc-client: {@code EtcdConnection} (unary calls and streams on
 * the caller's context, endpoint rotation, call timeouts; {@code ArrayCodecs}, responses parsed
 * from the received bytes), key and value helpers, and
 * {@code Backoff} and {@code Retries}, the one retry helper of the project (exponential back-off
 * with full jitter, capped; timers cancelled when their owner stops). Its errors are {@code etcd}'s public
 * exceptions. Not API: it may change in any release.
 *
 * <p>May import: {@code etcd}, {@code tree}.
 */
package io.consensus.internal.etcd;
