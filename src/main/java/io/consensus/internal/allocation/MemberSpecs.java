package io.consensus.internal.allocation;

import io.consensus.tree.Node;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The members' specs, parsed from their member key values once per value (cached by the value
 * they were read from) and marked drained when an operator's {@code ROOT/drained/<member>} key
 * is present.
 *
 * <p>Not thread-safe: owned by one allocator context.
 */
final class MemberSpecs {
  // By member name: the value the spec was read from, and the spec.
  private final Map<String, Map.Entry<String, MemberSpec>> cache = new HashMap<>();
  private SpecReader reader = SpecReader.NONE;
  private Node drained;

  /** The reader of member specs and item marker replica counts. */
  SpecReader reader() {
    return reader;
  }

  void reader(SpecReader r) {
    this.reader = Objects.requireNonNull(r, "reader");
  }

  /** Sets the {@code ROOT/drained} node of the current tree (null when absent). */
  void drained(Node node) {
    this.drained = node;
  }

  /** The {@code ROOT/drained} node of the current tree (null when absent). */
  Node drainedNode() {
    return drained;
  }

  /** The spec of a present member: its key's value as read, drained too when an operator drained it. */
  MemberSpec of(Node memberNode) {
    String name = memberNode.name();
    String value = memberNode.value();
    Map.Entry<String, MemberSpec> cached = cache.get(name);
    MemberSpec spec;
    if (cached != null && cached.getKey().equals(value)) {
      spec = cached.getValue();
    } else {
      spec = reader.member(name, value);
      cache.put(name, Map.entry(value, spec));
    }
    Node d = drained == null ? null : drained.child(name);
    return d != null && d.hasValue() ? spec.withDrained(true) : spec;
  }

  /** Forgets the specs of members not in {@code present}. */
  void retain(Set<String> present) {
    cache.keySet().retainAll(present);
  }
}
