package dev.rtrs.block.server.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "RNBD server", description = "Serves exports to RNBD clients over an RTRS server")
@interface RnbdServerConfig {

    @AttributeDefinition(description = "Local addresses to listen on, comma-separated (0.0.0.0 or :: for all)")
    String[] addresses() default {"0.0.0.0"};

    @AttributeDefinition(description = "RTRS port")
    int port() default 1234;

    @AttributeDefinition(description = "Chunks (IOs in flight) per session, 1 to 65535")
    int queueDepth() default 512;

    @AttributeDefinition(description = "Bytes per chunk, a power of two from 8192; the largest IO is this less 4096")
    int chunkSize() default 131072;

    @AttributeDefinition(
            description = "Invalidate every chunk's rkey before its data is used (secure; about 20% "
                    + "slower). Turn off only where every client is trusted")
    boolean alwaysInvalidate() default true;

    @AttributeDefinition(description = "Verbs provider: tcp (software RDMA) or disni (RDMA NICs)")
    String provider() default "tcp";

    @AttributeDefinition(
            description = "Directory that device names of OPEN are relative to; %SESSNAME% stands for "
                    + "the client's session name. Names leading outside it are refused")
    String devSearchPath() default "/srv/rnbd";
}
