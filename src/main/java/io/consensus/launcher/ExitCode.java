package io.consensus.launcher;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The exit codes of every command of the jar: a member, a spectator and the admin CLI exit
 * with the same code for the same cause, so one table (README "Exit codes") serves scripts and
 * orchestrators. A process that exits for one of these causes has written nothing to etcd,
 * except {@link #INTERRUPTED} (a hand-off cut short) and {@link #FAILED}.
 */
enum ExitCode {
  /** Done, or stopped gracefully after a signal. */
  OK(0, "done, or stopped gracefully (hand-off complete)"),
  /** An unexpected failure (a bug or an unforeseen error; the log has the stack trace). */
  FAILED(1, "unexpected failure (see the log)"),
  /** Bad command line, config key, environment override or name: nothing was tried against etcd. */
  CONFIG(2, "bad usage, config, override or name (stderr names the key)"),
  /** etcd could not be reached or did not answer in time, or no etcd is configured and none can be embedded. */
  ETCD_UNREACHABLE(3, "etcd unreachable, did not answer in time, or none configured and none to embed"),
  /** etcd answered with an error: authentication, permission, TLS handshake, or a refused call. */
  ETCD_REFUSED(4, "etcd refused: authentication, permission, TLS, or an error answer"),
  /** The fleet's state refuses the command: the item exists, no such item, the item is fixed in the config. */
  REFUSED(5, "the fleet refuses the command: item exists, no such item, item fixed in the config"),
  /** Another process runs with the same member name (its member key exists). */
  MEMBER_EXISTS(6, "member name already in use (its member key exists; see waitForMemberSeconds)"),
  /** A second signal N cut the hand-off short: the code is 128 + N (130 for SIGINT, 143 for SIGTERM). */
  INTERRUPTED(128, "a second signal N cut the hand-off short (130 SIGINT, 143 SIGTERM)");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  /** The process exit status (for {@link #INTERRUPTED}, the base to which the signal number is added). */
  int code() {
    return code;
  }

  /** One line for the table. */
  String meaning() {
    return meaning;
  }

  /**
   * The code for an etcd failure found in {@code t}'s causes: {@link #ETCD_UNREACHABLE} when
   * etcd could not be reached or did not answer in time, {@link #ETCD_REFUSED} when it answered
   * with an error (authentication, TLS, permission, ...); null when no cause is an etcd failure.
   */
  static ExitCode ofEtcdFailure(Throwable t) {
    ExitCode found = null;
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof io.consensus.etcd.EtcdAuthenticationException || c instanceof javax.net.ssl.SSLException) {
        return ETCD_REFUSED; // wins over the transport failure that may wrap it
      }
      if (found == null && c instanceof io.consensus.etcd.EtcdCallException ec) {
        // A timeout is not an answer: a starved machine looks the same as a dead etcd.
        found = ec.isTransportFailure() || ec.status() == io.vertx.grpc.common.GrpcStatus.DEADLINE_EXCEEDED
            ? ETCD_UNREACHABLE : ETCD_REFUSED;
      }
      if (found == null && c instanceof java.net.ConnectException) {
        found = ETCD_UNREACHABLE;
      }
    }
    return found;
  }

  /** The table as help text shows it: one "  N  meaning" line per code. */
  static String table() {
    return Arrays.stream(values()).map(c -> String.format("  %-6s %s", c == INTERRUPTED ? "128+N" : c.code, c.meaning))
        .collect(Collectors.joining("\n"));
  }
}
