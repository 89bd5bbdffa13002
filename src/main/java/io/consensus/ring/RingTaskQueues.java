package io.consensus.ring;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Keyed, non-blocking serial task queues over a bounded ring of value slots.
 *
 * <p>Each key (typically a hash, e.g. of an item id) is mapped to a <em>slot</em> of the ring. A slot
 * holds a user-defined value and a FIFO queue of tasks. {@link #submit(long, Function)} appends a task
 * to its key's queue; the task starts only after every earlier task for that key has completed
 * (successfully or not), so work on one key is strictly serialised and can share the slot's value,
 * while different keys run concurrently. Nothing ever blocks a thread waiting for a key: a queued
 * task is simply dispatched to its submitter's context when its predecessor completes.
 *
 * <h2>Ring semantics</h2>
 * <ul>
 *   <li>A key keeps its slot, and therefore its value, while it stays in the ring.</li>
 *   <li>A key not in the ring takes the next slot in ring order, evicting that slot's previous key.
 *       Before its first task runs, the {@code init} function is called with the slot's previous
 *       value (or {@code null} for a never-used slot), so it may be recycled; its result becomes the
 *       new key's value.</li>
 *   <li>An evicted key that is submitted again starts afresh: it gets a new slot and {@code init}
 *       runs again.</li>
 * </ul>
 * Hence colliding submissions coordinate and share state only within one loop through the ring.
 *
 * <h2>Busy slots are never handed over</h2>
 * A slot whose queue has a running or waiting task is <em>busy</em> and is never reassigned: a new
 * key skips busy slots and takes the next idle slot in ring order. If every slot is busy, the ring
 * doubles its capacity (it stays a power of two) and the new key takes the first new slot. The ring
 * never shrinks, and grows beyond its initial capacity only to less than twice the peak number of
 * keys with work in flight. Growing was chosen over making the new key wait for a free slot, which
 * could deadlock tasks that submit to other keys. {@link #capacity()} reports the current size.
 *
 * <h2>Contexts and threads</h2>
 * {@code submit} may be called from any thread. A task runs on the Vert.x context that was current
 * when it was submitted (event-loop or worker), and the returned future is completed on that context.
 * When submitted from a non-Vert.x thread, the context is {@code vertx.getOrCreateContext()}: for
 * such a thread Vert.x 4 creates an event-loop context and normally reuses it for later calls from
 * the same thread (it is only weakly held; per-key order does not depend on it). A task never runs
 * synchronously inside {@code submit}; it is always dispatched with {@link Context#runOnContext}, so
 * submitting from within a task is safe and stacks stay flat. Tasks queued for a context whose Vert.x
 * instance has been closed never run, and the key's later tasks wait behind them: close the
 * {@code Vertx} instance last.
 *
 * <p>The key-to-slot bookkeeping is guarded by a single short lock that is never held while user code
 * (tasks or {@code init}) runs.
 *
 * <h2>Example: serialise per-item state updates</h2>
 * <pre>{@code
 * RingTaskQueues<ItemState> items = new RingTaskQueues<>(vertx, 4096, previous -> new ItemState());
 *
 * Future<Void> onUpdate(long itemHash, Update update) {
 *   return items.submit(itemHash, slot -> {
 *     ItemState state = slot.get();          // this key's value; no other task for it is running
 *     return store.apply(state, update)      // may be asynchronous
 *         .map(next -> { slot.set(next); return null; });
 *   });
 * }
 * }</pre>
 *
 * @param <V> the type of the per-slot value
 */
public final class RingTaskQueues<V> {

  /** Default ring capacity; busy slots are never recycled, so the ring grows when all are busy. */
  public static final int DEFAULT_CAPACITY = 1024;

  /** Largest capacity the ring may grow to. */
  public static final int MAX_CAPACITY = 1 << 30;

  /**
   * A running task's view of its key's slot. Valid only until the future returned by the task
   * completes; afterwards {@link #get()} and {@link #set(Object)} throw {@link IllegalStateException}
   * because the slot may then belong to another task or key.
   *
   * @param <V> the type of the per-slot value
   */
  public interface Slot<V> {

    /** The key the task was submitted under (for {@code submit(CharSequence, …)}: its 64-bit hash). */
    long key();

    /** The key's current value. */
    V get();

    /** Replaces the key's value; later tasks for the key see the new value. */
    void set(V value);
  }

  private final Vertx vertx;
  private final UnaryOperator<V> init;

  // Guards ring, mask, next, index and every Entry's key/mapped/active/waiting fields.
  private final Object lock = new Object();
  private Entry<V>[] ring;
  private int mask;
  private int next;
  private final HashMap<Long, Entry<V>> index = new HashMap<>();

  /**
   * Creates queues with {@link #DEFAULT_CAPACITY} whose newly mapped keys start with a {@code null}
   * value.
   *
   * @param vertx used for submissions from non-Vert.x threads
   */
  public RingTaskQueues(Vertx vertx) {
    this(vertx, DEFAULT_CAPACITY, null);
  }

  /**
   * Creates queues.
   *
   * @param vertx    used for submissions from non-Vert.x threads
   * @param capacity initial number of ring slots; a power of two between 1 and {@link #MAX_CAPACITY}
   * @param init     called before the first task of a newly mapped key with the slot's previous value
   *                 ({@code null} if never used); returns the key's initial value. If {@code null},
   *                 new keys start with {@code null} (a previous key's value is never
   *                 silently inherited). It runs on the task's context, serialised with the key's
   *                 tasks; if it throws, that task fails with the exception and the next task of the
   *                 key retries it.
   * @throws IllegalArgumentException if {@code capacity} is not a power of two in range
   */
  public RingTaskQueues(Vertx vertx, int capacity, UnaryOperator<V> init) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    if (capacity < 1 || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException(
          "capacity must be a power of two between 1 and " + MAX_CAPACITY + ", got " + capacity);
    }
    this.init = init != null ? init : previous -> null;
    this.ring = newRing(capacity);
    this.mask = capacity - 1;
  }

  /**
   * Queues {@code task} behind every earlier task for {@code key} and returns its outcome.
   *
   * <p>The task runs on the caller's context (see the class documentation) once all earlier tasks for
   * the key have completed. It receives the key's {@link Slot}, which it may use until its returned
   * future completes. A task that throws, or returns {@code null} or a failed future, fails only its
   * own returned future; the key's queue continues with the next task.
   *
   * @param key  the key, typically a hash
   * @param task the work; must not block
   * @param <T>  the result type
   * @return a future completed, on the caller's context, with the task's outcome
   */
  public <T> Future<T> submit(long key, Function<Slot<V>, Future<T>> task) {
    Objects.requireNonNull(task, "task");
    Context context = Vertx.currentContext();
    if (context == null) {
      context = vertx.getOrCreateContext();
    }
    Task<V, T> t = new Task<>(this, key, context, task);
    boolean runNow;
    synchronized (lock) {
      Entry<V> entry = index.get(key);
      if (entry == null) {
        entry = claim(key);
      }
      t.entry = entry;
      if (entry.active) {
        entry.waiting().add(t);
        runNow = false;
      } else {
        entry.active = true;
        runNow = true;
      }
    }
    if (runNow) {
      context.runOnContext(v -> t.run());
    }
    return t.promise.future();
  }

  /**
   * Like {@link #submit(long, Function)}, keyed by {@link #hash64(CharSequence) the 64-bit hash} of a
   * string such as an item id. Two strings with the same hash share one queue and value; with 64 bits
   * this is improbable (about n²/2⁶⁵ for n keys in the ring), but use {@code long} keys you control
   * where sharing would be unacceptable. ({@code Object.hashCode} is deliberately not offered: its 32
   * bits collide far too often for keys that share state.)
   */
  public <T> Future<T> submit(CharSequence key, Function<Slot<V>, Future<T>> task) {
    return submit(hash64(key), task);
  }

  /**
   * 64-bit FNV-1a hash of the string's UTF-16 code units, finalised with the MurmurHash3 mixer;
   * stable across JVMs and releases.
   */
  public static long hash64(CharSequence s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      h = (h ^ (c & 0xff)) * 0x100000001b3L;
      h = (h ^ (c >>> 8)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** Current number of ring slots: the initial capacity, or more if the ring had to grow. */
  public int capacity() {
    synchronized (lock) {
      return ring.length;
    }
  }

  /** Whether {@code key} currently holds a slot (and so would keep its value). For tests and metrics. */
  public boolean isMapped(long key) {
    synchronized (lock) {
      return index.containsKey(key);
    }
  }

  // ---- bookkeeping, all under lock ----

  /** Assigns the next idle slot in ring order to {@code key}, growing the ring if all are busy. */
  private Entry<V> claim(long key) {
    for (int probed = 0; probed < ring.length; probed++) {
      Entry<V> e = ring[next];
      if (e == null) {
        e = ring[next] = new Entry<>(); // allocated on first use: a large ring costs only its array
      }
      next = (next + 1) & mask;
      if (!e.active) {
        if (e.mapped) {
          index.remove(e.key);
        }
        e.key = key;
        e.mapped = true;
        e.needsInit = true; // run init lazily, outside the lock, before this key's first task
        index.put(key, e);
        return e;
      }
    }
    grow();
    return claim(key);
  }

  private void grow() {
    int old = ring.length;
    if (old >= MAX_CAPACITY) {
      throw new IllegalStateException("all " + old + " ring slots are busy; cannot grow further");
    }
    ring = Arrays.copyOf(ring, old << 1);
    mask = ring.length - 1;
    next = old; // continue ring order with the fresh, idle slots
  }

  @SuppressWarnings("unchecked")
  private static <V> Entry<V>[] newRing(int capacity) {
    return (Entry<V>[]) new Entry<?>[capacity];
  }

  /** Called when an entry's running task completed: hands the entry to the next waiter, if any. */
  private Task<V, ?> release(Entry<V> entry) {
    synchronized (lock) {
      Task<V, ?> n = entry.waiting == null ? null : entry.waiting.poll();
      if (n == null) {
        entry.active = false;
      }
      return n;
    }
  }

  /** One ring space. */
  private static final class Entry<V> {
    long key;
    boolean mapped;
    /** A task is running or waiting; the slot must not be reassigned. */
    boolean active;
    ArrayDeque<Task<V, ?>> waiting; // lazily allocated: most slots never queue

    // Touched only by the entry's single running task (hand-over is ordered by the lock), so no
    // further synchronisation is needed; volatile guards against misuse from stray threads.
    volatile boolean needsInit;
    volatile V value;

    ArrayDeque<Task<V, ?>> waiting() {
      if (waiting == null) {
        waiting = new ArrayDeque<>(4);
      }
      return waiting;
    }
  }

  /** A submitted task; while it runs it is also the task's {@link Slot} handle. */
  private static final class Task<V, T> implements Slot<V> {
    final RingTaskQueues<V> owner;
    final long key;
    final Context context;
    final Function<Slot<V>, Future<T>> body;
    final Promise<T> promise = Promise.promise();
    Entry<V> entry; // set under lock before the task can run
    volatile boolean live;

    Task(RingTaskQueues<V> owner, long key, Context context, Function<Slot<V>, Future<T>> body) {
      this.owner = owner;
      this.key = key;
      this.context = context;
      this.body = body;
    }

    void run() {
      live = true;
      Future<T> f;
      try {
        if (entry.needsInit) {
          entry.value = owner.init.apply(entry.value);
          entry.needsInit = false;
        }
        f = body.apply(this);
        if (f == null) {
          f = Future.failedFuture(new NullPointerException("task for key " + key + " returned null"));
        }
      } catch (Throwable e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(this::finished);
    }

    private void finished(AsyncResult<T> outcome) {
      if (!live) {
        return; // defensive: a misbehaving future calling back twice must not release twice
      }
      live = false;
      if (Vertx.currentContext() == context) {
        promise.handle(outcome);
      } else {
        context.runOnContext(v -> promise.handle(outcome));
      }
      Task<V, ?> successor = owner.release(entry);
      if (successor != null) {
        successor.context.runOnContext(v -> successor.run());
      }
    }

    @Override
    public long key() {
      return key;
    }

    @Override
    public V get() {
      checkLive();
      return entry.value;
    }

    @Override
    public void set(V value) {
      checkLive();
      entry.value = value;
    }

    private void checkLive() {
      if (!live) {
        throw new IllegalStateException("slot handle used outside its task (key " + key + ")");
      }
    }
  }
}
