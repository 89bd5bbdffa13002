package io.consensus.internal.allocation;

/**
 * Reads the values the rules consult beyond the route: member key values (a {@link MemberSpec})
 * and item marker values (a per-item replica count). Implementations must be tolerant: a value
 * that does not parse yields the default (and is reported by the implementation, e.g. logged),
 * never an exception, so one bad key cannot stop a member or make it write in a loop.
 */
public interface SpecReader {
  /** The spec in member key {@code member}'s value; {@link MemberSpec#DEFAULT} when it has none or is bad. */
  MemberSpec member(String member, String value);

  /** The replica count item {@code item}'s marker value asks for, or -1 when it asks for none or is bad. */
  int replicas(String item, String markerValue);

  /** A reader that sees no spec anywhere: every member default, every item at the fleet's R. */
  SpecReader NONE = new SpecReader() {
    @Override
    public MemberSpec member(String member, String value) {
      return MemberSpec.DEFAULT;
    }

    @Override
    public int replicas(String item, String markerValue) {
      return -1;
    }
  };
}
