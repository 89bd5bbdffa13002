package io.consensus.internal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class EtcdKeysTest {

  @Test
  void prefixEndIncrementsTheLastByte() {
    assertThat(EtcdKeys.prefixEnd("/a/")).isEqualTo(EtcdKeys.bytes("/a0"));
    assertThat(EtcdKeys.prefixEnd(ByteString.copyFrom(new byte[] {'a', (byte) 0xff})))
        .isEqualTo(EtcdKeys.bytes("b"));
    assertThat(EtcdKeys.prefixEnd(ByteString.EMPTY)).isEqualTo(ByteString.copyFrom(new byte[] {0}));
    assertThat(EtcdKeys.prefixEnd(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff})))
        .isEqualTo(ByteString.copyFrom(new byte[] {0}));
  }

  @Test
  void parsesEndpointsWithClearErrors() {
    EtcdEndpoint ep = EtcdEndpoint.parse("http://127.0.0.1:2379/");
    assertThat(ep.url()).isEqualTo("http://127.0.0.1:2379");
    assertThat(ep.address().port()).isEqualTo(2379);
    assertThat(ep.address().host()).isEqualTo("127.0.0.1");
    assertThat(ep.tls()).isFalse();
    EtcdEndpoint tls = EtcdEndpoint.parse("https://etcd-1:2379");
    assertThat(tls.tls()).isTrue();
    assertThat(tls.url()).isEqualTo("https://etcd-1:2379");
    for (String bad : new String[] {"", "localhost:2379", "ftp://h:1", "http://h", "http://h:1/x", "http//h:1"}) {
      assertThatThrownBy(() -> EtcdEndpoint.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("http://host:port");
    }
  }
}
