package io.consensus.internal.etcd;

import io.vertx.grpc.client.GrpcClientRequest;

/**
 * An open bidirectional gRPC stream to one etcd endpoint (watch, lease keep-alive). Write
 * requests with {@code request().write(...)}, read with {@code request().response()}, end
 * it with {@code request().cancel()}. Report a broken stream with
 * {@link EtcdConnection#rotateFrom(EtcdEndpoint)} so the next stream goes elsewhere.
 *
 * @param endpoint the endpoint the stream is connected to
 * @param request  the client side of the stream
 */
public record EtcdStream<Req, Resp>(EtcdEndpoint endpoint, GrpcClientRequest<Req, Resp> request) {
}
