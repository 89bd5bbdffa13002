package io.consensus.internal.etcdprocess;

/** Thrown when no etcd binary can be found to launch a test server. */
public final class EtcdBinaryNotFoundException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  EtcdBinaryNotFoundException(String message) {
    super(message);
  }
}
