package io.consensus.etcd;

import io.vertx.grpc.common.GrpcStatus;
import java.util.Objects;

/**
 * A failed call to etcd: either etcd answered with a non-OK gRPC status, or the transport
 * failed (connection refused or reset, timeout).
 */
public final class EtcdCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient GrpcStatus status;
  private final String endpoint;
  private final boolean transport;

  public EtcdCallException(GrpcStatus status, String endpoint, String message, boolean transport, Throwable cause) {
    super(message, cause);
    this.status = Objects.requireNonNull(status);
    this.endpoint = endpoint;
    this.transport = transport;
  }

  /**
   * The gRPC status; transport failures report {@link GrpcStatus#UNAVAILABLE}, call
   * timeouts {@link GrpcStatus#DEADLINE_EXCEEDED}.
   */
  public GrpcStatus status() {
    return status;
  }

  /** The endpoint the call went to. */
  public String endpoint() {
    return endpoint;
  }

  /**
   * Whether the endpoint could not be reached or did not answer in time (or answered
   * UNAVAILABLE): the connection rotated to the next endpoint.
   */
  public boolean isTransportFailure() {
    return transport;
  }
}
