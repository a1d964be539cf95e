package dev.rtrs.bench.loadgen;

import dev.rtrs.heartbeat.internal.HeartbeatMonitor;
import dev.rtrs.policy.mininflight.internal.MinInflightPolicy;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The appliance's demo as its {@code etc/} files set it up, for the programs that run it in one process (the load
 * generator and the soak program): an RNBD server on 127.0.0.1 and 127.0.0.2 with queue depth 128, 128 KiB chunks
 * and the tcp provider, exporting {@code demo}; the heartbeat every 500 ms, 3 missed; the min-inflight policy.
 */
public final class DemoSettings {

    public static final String EXPORT = "demo";
    public static final int QUEUE_DEPTH = 128;
    public static final int CHUNK_SIZE = 128 * 1024;
    private static final long HEARTBEAT_INTERVAL_MS = 500;
    private static final int HEARTBEAT_MISSED_MAX = 3;

    private DemoSettings() {}

    public static HeartbeatMonitor heartbeat() {
        return new HeartbeatMonitor(HEARTBEAT_INTERVAL_MS, HEARTBEAT_MISSED_MAX);
    }

    /** A transport over {@code provider} with the demo's policy and heartbeat; the caller closes it. */
    public static RtrsTransport transport(TcpVerbsProvider provider, HeartbeatMonitor heartbeat) {
        return new RtrsTransport()
                .addProvider(provider)
                .addPolicy(new MinInflightPolicy(), ClientSessionOptions.DEFAULT_POLICY, "mi")
                .setHeartbeat(heartbeat);
    }

    /**
     * The demo server's options.
     *
     * @param port 0 picks a free port, shared by both addresses
     */
    public static ServerOptions serverOptions(boolean alwaysInvalidate, int port) throws UnknownHostException {
        return ServerOptions.builder(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                .port(port)
                .queueDepth(QUEUE_DEPTH)
                .chunkSize(CHUNK_SIZE)
                .alwaysInvalidate(alwaysInvalidate)
                .provider(TcpVerbsProvider.NAME)
                .build();
    }
}
