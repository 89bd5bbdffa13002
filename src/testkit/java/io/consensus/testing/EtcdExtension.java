package io.consensus.testing;

import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension running one real etcd per test class.
 *
 * <pre>{@code
 * @ExtendWith(VertxExtension.class)
 * class MyTest {
 *   @RegisterExtension static EtcdExtension etcd = new EtcdExtension();
 *
 *   @Test void works(Vertx vertx, EtcdServer server) { ... etcd.server().endpoints() ... }
 * }
 * }</pre>
 *
 * <p>Register it on a {@code static} field (or with {@code @ExtendWith}). Test and
 * lifecycle methods may take an {@link EtcdServer} parameter. Nested test classes share
 * the outer class's server.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private final Supplier<EtcdServer> factory;
  private EtcdServer server;
  private String ownerId;

  /** A default single-member server. */
  public EtcdExtension() {
    this(EtcdServer::start);
  }

  /** A server built by {@code builder}, e.g. with extra flags. */
  public EtcdExtension(EtcdServer.Builder builder) {
    this(builder::start);
  }

  private EtcdExtension(Supplier<EtcdServer> factory) {
    this.factory = Objects.requireNonNull(factory);
  }

  /** The running server; only valid between {@code beforeAll} and {@code afterAll}. */
  public EtcdServer server() {
    if (server == null) {
      throw new IllegalStateException("etcd is not running: register EtcdExtension on a static field");
    }
    return server;
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (server == null) {
      server = factory.get();
      ownerId = context.getUniqueId();
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (server != null && context.getUniqueId().equals(ownerId)) {
      server.close();
      server = null;
      ownerId = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == EtcdServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return server();
  }
}
