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
}
