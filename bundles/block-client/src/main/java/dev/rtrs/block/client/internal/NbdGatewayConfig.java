package dev.rtrs.block.client.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "RNBD NBD gateway",
        description = "Serves every mapped device over the NBD protocol (export name = mapped device name)")
@interface NbdGatewayConfig {

    @AttributeDefinition(description = "Address to listen on; keep it on loopback unless the network is trusted")
    String address() default "127.0.0.1";

    @AttributeDefinition(description = "NBD port")
    int port() default 10809;

    @AttributeDefinition(
            name = "Connections",
            min = "1",
            description = "Most NBD client connections at the same time; a further connection is closed at once"
                    + " (with a rate-limited warning in the log)")
    int maxConnections() default 64;

    @AttributeDefinition(
            name = "Negotiation timeout (ms)",
            min = "1",
            description =
                    "A client that has not finished the NBD handshake this long after connecting is" + " disconnected")
    int negotiationTimeoutMs() default 10_000;

    @AttributeDefinition(
            name = "Buffer memory per connection (MiB)",
            min = "32",
            description = "Direct memory for the data of requests in flight, per connection (at least 32: the"
                    + " largest request the gateway accepts). A client with more data in flight waits. The"
                    + " gateway holds at most Connections x this, plus about 70 KiB per connection")
    int connectionBufferMb() default 64;
}
