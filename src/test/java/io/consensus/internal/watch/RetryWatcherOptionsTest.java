package io.consensus.internal.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class RetryWatcherOptionsTest {
  @Test
  void jsonRoundTripDefaultsAndIndependentCopies() {
    RetryWatcherOptions o = new RetryWatcherOptions().setPrefix("/p/").setRefreshIntervalMillis(150)
        .setMinBackoffMillis(50).setMaxBackoffMillis(300).setPageSize(3).setResnapshotOnReconnect(true).setFragments(true);
    RetryWatcherOptions back = new RetryWatcherOptions(o.toJson());
    assertThat(back.toJson()).isEqualTo(o.toJson());
    assertThat(back.getPageSize()).isEqualTo(3);
    assertThat(back.isResnapshotOnReconnect()).isTrue();
    assertThat(back.isFragments()).isTrue();
    RetryWatcherOptions copy = new RetryWatcherOptions(o).setPrefix("/q/").setPageSize(9);
    assertThat(o.getPrefix()).isEqualTo("/p/");
    assertThat(o.getPageSize()).isEqualTo(3);
    RetryWatcherOptions d = new RetryWatcherOptions(new JsonObject().put("prefix", "/d/"));
    assertThat(d.getMinBackoffMillis()).isEqualTo(RetryWatcherOptions.DEFAULT_MIN_BACKOFF_MILLIS);
    assertThat(d.getMaxBackoffMillis()).isEqualTo(RetryWatcherOptions.DEFAULT_MAX_BACKOFF_MILLIS);
    assertThat(d.getPageSize()).isEqualTo(RetryWatcherOptions.DEFAULT_PAGE_SIZE);
    assertThat(d.getRefreshIntervalMillis()).isZero();
    assertThat(d.isFragments()).isFalse();
    assertThat(copy.getPrefix()).isEqualTo("/q/");
  }

  @Test
  void badInputNamesTheKey() {
    JsonObject base = new JsonObject().put("prefix", "/p/");
    assertThatThrownBy(() -> new RetryWatcherOptions(new JsonObject()))
        .isInstanceOf(ConfigException.class).hasMessage("config key 'prefix': required");
    assertThatThrownBy(() -> new RetryWatcherOptions(base.copy().put("pageSize", 0)))
        .hasMessage("config key 'pageSize': must be >= 1, was 0");
    assertThatThrownBy(() -> new RetryWatcherOptions(base.copy().put("resnapshotOnReconnect", "yes")))
        .hasMessage("config key 'resnapshotOnReconnect': must be true or false, was \"yes\"");
    assertThatThrownBy(() -> new RetryWatcherOptions(base.copy().put("minBackoffMillis", 5000)))
        .hasMessageStartingWith("config key 'maxBackoffMillis': must be >= minBackoffMillis (5000)");
    assertThatThrownBy(() -> new RetryWatcherOptions(base.copy().put("refreshIntervalMillis", -1)))
        .hasMessage("config key 'refreshIntervalMillis': must be >= 0, was -1");
    assertThatThrownBy(() -> new RetryWatcherOptions(base.copy().put("prefix", 1)))
        .hasMessage("config key 'prefix': must be a string, was 1");
  }
}
