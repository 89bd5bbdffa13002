package io.consensus.internal.watch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Futures waiting for the delivered revision to reach a value; owned by one context. */
public final class RevisionWaiters {
  private final TreeMap<Long, List<Promise<Long>>> waiting = new TreeMap<>();

  public Future<Long> await(long revision) {
    Promise<Long> p = Promise.promise();
    waiting.computeIfAbsent(revision, r -> new ArrayList<>()).add(p);
    return p.future();
  }

  /** Completes, with {@code delivered}, every waiter at or below it. */
  public void reached(long delivered) {
    Map<Long, List<Promise<Long>>> done = waiting.headMap(delivered, true);
    List<Promise<Long>> ready = new ArrayList<>();
    done.values().forEach(ready::addAll);
    done.clear();
    ready.forEach(p -> p.tryComplete(delivered));
  }

  public void failAll(Throwable cause) {
    List<Promise<Long>> all = new ArrayList<>();
    waiting.values().forEach(all::addAll);
    waiting.clear();
    all.forEach(p -> p.tryFail(cause));
  }
}
