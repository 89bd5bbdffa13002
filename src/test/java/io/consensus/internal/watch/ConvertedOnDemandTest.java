package io.consensus.internal.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.consensus.tree.KeyEvent;
import io.consensus.tree.WatchUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConvertedOnDemandTest {

  /** A revision handed to the member as Changes converts none of its events until they are read. */
  @Test
  void changesConvertEventsOnlyAsTheyAreRead() {
    AtomicInteger conversions = new AtomicInteger();
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      (i < 600 ? first : second).add("k" + i);
    }
    List<KeyEvent> events = new ConvertedOnDemand<>(List.of(first, second), key -> {
      conversions.incrementAndGet();
      return KeyEvent.delete(key, 7);
    });

    WatchUpdate.Changes changes = new WatchUpdate.Changes(7, events);

    assertEquals(0, conversions.get());
    assertEquals(1000, changes.events().size());
    assertEquals("k600", changes.events().get(600).kv().key());
    assertEquals("k600", changes.events().get(600).kv().key());
    assertEquals(1, conversions.get(), "each event converted once, when read");
    assertThrows(UnsupportedOperationException.class, () -> changes.events().remove(0));
  }
}
