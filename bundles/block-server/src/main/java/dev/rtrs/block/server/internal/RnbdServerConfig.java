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

    @AttributeDefinition(
            description = "Client addresses or CIDR ranges whose sessions may open files under the search path; "
                    + "empty for any. Configured exports have their own allowedClients")
    String[] devSearchPathAllowedClients() default {"127.0.0.0/8", "::1/128"};

    @AttributeDefinition(description = "Sessions the server holds at once")
    int maxSessions() default 256;

    @AttributeDefinition(
            description = "Connected paths the server holds at once, over all sessions. Each path has chunk memory of "
                    + "its own, queueDepth x chunkSize bytes, once its handshake is complete: this bounds the "
                    + "server's chunk memory; a path beyond it is refused (ENOMEM)")
    int maxPaths() default 512;

    @AttributeDefinition(
            description = "Paths one session may have at once, 1 to 128 (the kernel's limit); a path beyond it is "
                    + "refused (ECONNRESET)")
    int maxPathsPerSession() default 128;

    @AttributeDefinition(description = "Connections one path may ask for (clients ask for one per CPU, plus one)")
    int maxConnectionsPerPath() default 128;

    @AttributeDefinition(
            description = "Paths in their handshake at once, over all sessions; a new one closes the oldest")
    int maxConnectingPaths() default 64;

    @AttributeDefinition(
            description = "Milliseconds a path may take from its first connection to the end of its handshake before "
                    + "it is closed")
    long handshakeTimeoutMs() default 30000;
}
