package io.consensus.internal.allocation;

import io.consensus.bench.LeastCpu;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The item-keyed hash tables of the update path, alone: {@link ItemTable} (get, put over an
 * existing value, remove and put back) and {@link IndexedSet} (contains, remove and add back) at
 * 100,000 and 1,000,000 entries, keys visited in a random order (as a revision's touched items
 * are: every access a cache miss at these sizes). Lookups use equal copies of the stored names
 * (another String instance, as a decoded key is) and, for get, the stored instance too. Prints
 * this thread's CPU ns per operation, the least over three rounds of five passes each, then the
 * tables' own bytes per entry at 1,000,000 entries.
 *
 * <pre>mvn -B -o -q exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.consensus.internal.allocation.HashLookupBench -Dexec.args="100000,1000000"</pre>
 * ({@code -Dexec.args=heap}: the bytes per entry alone).
 */
public final class HashLookupBench {
  private HashLookupBench() {
  }

  /** Two value types, so that the table's item accessor sees two classes, as in a member. */
  record Summary(String item, int n) {
  }

  record Change(String item, long revision) {
  }

  private static final LeastCpu TIMES = new LeastCpu();

  public static void main(String[] args) {
    String sizes = args.length > 0 ? args[0] : "100000,1000000";
    if (sizes.equals("heap")) { // the bytes alone
      heap(1_000_000);
      return;
    }
    System.out.println("| entries | structure | operation | CPU ns/op (best of 3 x 5 passes) |");
    System.out.println("|---:|---|---|---:|");
    // Three rounds over the sizes (the first also warms the JIT up); each figure the least seen.
    for (int round = 0; round < 3; round++) {
      for (String s : sizes.split(",")) {
        run(Integer.parseInt(s.trim()));
      }
    }
    TIMES.print();
    heap(1_000_000);
  }

  private static void run(int n) {
    List<String> stored = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      stored.add(String.format("item-%07d", i));
    }
    String[] copies = new String[n];
    String[] same = new String[n];
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(1));
    for (int i = 0; i < n; i++) {
      same[i] = stored.get(order.get(i));
      copies[i] = new String(same[i].toCharArray());
    }
    ItemTable<Summary> table = new ItemTable<>(Summary::item);
    ItemTable<Change> other = new ItemTable<>(Change::item);
    IndexedSet set = new IndexedSet();
    for (int i = 0; i < n; i++) {
      table.put(new Summary(stored.get(i), i));
      other.put(new Change(stored.get(i), i));
      set.add(stored.get(i));
    }
    Summary[] replacements = new Summary[n];
    for (int i = 0; i < n; i++) {
      replacements[i] = new Summary(same[i], -i);
    }
    report(n, "ItemTable", "get (equal copy)", best(() -> {
      long s = 0;
      for (String k : copies) {
        s += table.get(k).n();
      }
      s += other.get(copies[0]).revision();
      return s;
    }, n));
    report(n, "ItemTable", "get (stored instance)", best(() -> {
      long s = 0;
      for (String k : same) {
        s += table.get(k).n();
      }
      return s;
    }, n));
    report(n, "ItemTable", "get (absent)", best(() -> {
      long s = 0;
      for (String k : copies) {
        s += table.get(k + "x") == null ? 1 : 0;
      }
      return s;
    }, n));
    report(n, "ItemTable", "put (replaces)", best(() -> {
      long s = 0;
      for (Summary v : replacements) {
        s += table.put(v).n();
      }
      return s;
    }, n));
    report(n, "ItemTable", "remove + put back", best(() -> {
      long s = 0;
      for (int i = 0; i < n; i++) {
        Summary v = table.remove(copies[i]);
        s += v.n();
        table.put(v);
      }
      return s;
    }, n));
    report(n, "IndexedSet", "contains (equal copy)", best(() -> {
      long s = 0;
      for (String k : copies) {
        s += set.contains(k) ? 1 : 0;
      }
      return s;
    }, n));
    report(n, "IndexedSet", "remove + add back", best(() -> {
      long s = 0;
      for (String k : copies) {
        set.remove(k);
        set.add(k);
        s++;
      }
      return s + set.size();
    }, n));
  }

  private static void report(int n, String structure, String op, double ns) {
    TIMES.report(String.format("| %,d | %s | %s |", n, structure, op), ns);
  }

  private static double best(java.util.function.LongSupplier pass, int ops) {
    return TIMES.best(pass, ops);
  }

  /**
   * The tables' own bytes per entry at {@code n} entries: live heap after a full GC with the
   * names and values alone, then with an ItemTable and an IndexedSet of them (values excluded).
   */
  private static void heap(int n) {
    String[] names = new String[n];
    Summary[] values = new Summary[n];
    for (int i = 0; i < n; i++) {
      names[i] = String.format("item-%07d", i);
      values[i] = new Summary(names[i], i);
    }
    long base = usedAfterGc();
    ItemTable<Summary> table = new ItemTable<>(Summary::item);
    for (Summary v : values) {
      table.put(v);
    }
    long withTable = usedAfterGc();
    IndexedSet set = new IndexedSet();
    for (String name : names) {
      set.add(name);
    }
    long withSet = usedAfterGc();
    System.out.printf("state bytes per entry at %,d: ItemTable %.1f, IndexedSet %.1f (%d, %d)%n", n,
        (withTable - base) / (double) n, (withSet - withTable) / (double) n, table.size(), set.size());
  }

  private static long usedAfterGc() {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Runtime rt = Runtime.getRuntime();
      least = Math.min(least, rt.totalMemory() - rt.freeMemory());
    }
    return least;
  }
}
