package io.consensus.etcd;

/**
 * etcd refused to authenticate the configured user (wrong user or password), or demands
 * credentials none were configured for. The message names the user, never the password.
 */
public final class EtcdAuthenticationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EtcdAuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
