package io.consensus.internal.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consensus.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseOptionsTest {
  @Test
  void jsonRoundTripAndIndependentCopies() {
    LeaseOptions o = new LeaseOptions().setTtlSeconds(6).setKeepAliveIntervalMillis(500).setSafetyMarginMillis(1500)
        .setMaxReconnectBackoffMillis(250);
    LeaseOptions back = new LeaseOptions(o.toJson());
    assertThat(back).isEqualTo(o);
    assertThat(back.toJson()).isEqualTo(new JsonObject().put("ttlSeconds", 6L).put("keepAliveIntervalMillis", 500L)
        .put("safetyMarginMillis", 1500L).put("maxReconnectBackoffMillis", 250L));
    LeaseOptions copy = new LeaseOptions(o);
    copy.setTtlSeconds(20);
    assertThat(o.getTtlSeconds()).isEqualTo(6);
    assertThat(copy.keepAliveInterval()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void unsetDurationsDeriveFromTheTtl() {
    LeaseOptions o = new LeaseOptions(new JsonObject().put("ttlSeconds", 9));
    assertThat(o.getKeepAliveIntervalMillis()).isEqualTo(LeaseOptions.DEFAULT_KEEP_ALIVE_INTERVAL_MILLIS);
    assertThat(o.keepAliveInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(o.safetyMargin()).isEqualTo(Duration.ofMillis(1800));
    assertThat(o.maxReconnectBackoff()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void badInputNamesTheKey() {
    assertThatThrownBy(() -> new LeaseOptions(new JsonObject().put("ttlSeconds", "10")))
        .isInstanceOf(ConfigException.class).hasMessage("config key 'ttlSeconds': must be an integer, was \"10\"");
    assertThatThrownBy(() -> new LeaseOptions(new JsonObject().put("ttlSeconds", 0)))
        .hasMessage("config key 'ttlSeconds': must be >= 1, was 0");
    assertThatThrownBy(() -> new LeaseOptions(new JsonObject().put("safetyMarginMillis", -1)))
        .hasMessageStartingWith("config key 'safetyMarginMillis': must be >= 0");
    assertThatThrownBy(() -> new LeaseOptions(new JsonObject().put("keepAliveInterval", 1)))
        .hasMessageStartingWith("config key 'keepAliveInterval': unknown key");
    assertThatThrownBy(() -> new LeaseOptions().setTtlSeconds(2).setSafetyMarginMillis(2000).validate(2))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("config key 'safetyMarginMillis'");
  }
}
