package io.consensus.chaos;

/** Reads series from a Prometheus text scrape. */
final class Metrics {
  private Metrics() {
  }

  /** The sum of every sample of {@code name} (any tags); NaN without a scrape or a sample. */
  static double sum(String scrape, String name) {
    return sum(scrape, name, null);
  }

  /** As {@link #sum(String, String)}, only the samples whose tags contain {@code tag} (null: all). */
  static double sum(String scrape, String name, String tag) {
    if (scrape == null) {
      return Double.NaN;
    }
    double total = 0;
    boolean found = false;
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name) || line.length() == name.length()) {
        continue;
      }
      char next = line.charAt(name.length());
      if (next != '{' && next != ' ') {
        continue;
      }
      try {
        if (tag == null || line.contains(tag)) {
          total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          found = true;
        }
      } catch (NumberFormatException e) {
        // not a sample line
      }
    }
    return found ? total : Double.NaN;
  }
}
