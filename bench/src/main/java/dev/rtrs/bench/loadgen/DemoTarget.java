package dev.rtrs.bench.loadgen;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.block.backend.memory.internal.MemoryBackend;
import dev.rtrs.block.client.internal.RnbdClient;
import dev.rtrs.block.server.internal.StandaloneRnbdServer;
import dev.rtrs.heartbeat.internal.HeartbeatMonitor;
import dev.rtrs.policy.mininflight.internal.MinInflightPolicy;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The device the load goes to. {@code rnbd} is the appliance's demo in this process, with the settings of its
 * {@code etc/} files: an RNBD server on 127.0.0.1 and 127.0.0.2 (queue depth 128, 128 KiB chunks, the tcp provider)
 * exporting a memory device {@code demo}, the heartbeat (500 ms, 3 missed), the min-inflight policy, and the RNBD
 * client mapping it through session {@code demo} with the mapped device's default options. {@code memory} is the
 * memory backend's device alone, which shows what the load generator itself costs.
 */
final class DemoTarget implements AutoCloseable {

    static final String EXPORT = "demo";
    private static final int QUEUE_DEPTH = 128;
    private static final int CHUNK_SIZE = 128 * 1024;
    private static final long HEARTBEAT_INTERVAL_MS = 500;
    private static final int HEARTBEAT_MISSED_MAX = 3;

    private final BlockDevice device;
    private final String description;
    /** What to close, last opened first. */
    private final Deque<AutoCloseable> resources;

    private DemoTarget(BlockDevice device, String description, Deque<AutoCloseable> resources) {
        this.device = device;
        this.description = description;
        this.resources = resources;
    }

    static DemoTarget open(LoadOptions options) throws Exception {
        return options.target().equals("memory") ? memory(options) : rnbd(options);
    }

    private static DemoTarget memory(LoadOptions options) throws Exception {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        MemoryBackend memory = MemoryBackend.withDefaults();
        resources.push(memory::deactivate);
        try {
            BlockDevice device = memory.open(new ExportSpec(EXPORT, exportParameters(options), false));
            resources.push(device);
            return new DemoTarget(device, "memory backend alone, " + Sizes.format(options.size()), resources);
        } catch (Exception | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    private static DemoTarget rnbd(LoadOptions options) throws Exception {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            TcpVerbsProvider provider = new TcpVerbsProvider();
            resources.push(provider);
            HeartbeatMonitor heartbeat = new HeartbeatMonitor(HEARTBEAT_INTERVAL_MS, HEARTBEAT_MISSED_MAX);
            resources.push(heartbeat);
            RtrsTransport transport = new RtrsTransport()
                    .addProvider(provider)
                    .addPolicy(new MinInflightPolicy(), ClientSessionOptions.DEFAULT_POLICY, "mi")
                    .setHeartbeat(heartbeat);
            resources.push(transport);
            MemoryBackend memory = MemoryBackend.withDefaults();
            resources.push(memory::deactivate);
            ServerOptions serverOptions = ServerOptions.builder(
                            InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                    .port(0)
                    .queueDepth(QUEUE_DEPTH)
                    .chunkSize(CHUNK_SIZE)
                    .alwaysInvalidate(options.alwaysInvalidate())
                    .provider(TcpVerbsProvider.NAME)
                    .build();
            ServerEndpoint server =
                    StandaloneRnbdServer.listen(transport, serverOptions, memory, EXPORT, exportParameters(options));
            resources.push(server);
            List<PathAddress> paths = new ArrayList<>();
            for (InetSocketAddress a : server.localAddresses().subList(0, options.paths())) {
                paths.add(PathAddress.of(a.getAddress().getHostAddress(), a.getPort()));
            }
            RnbdClient client = new RnbdClient(transport);
            resources.push(client);
            BlockDevice device = client.map(RnbdClient.MapSpec.builder(EXPORT, EXPORT, EXPORT)
                    .paths(paths)
                    .build());
            String description = String.format(
                    "RNBD over the tcp provider in one process, %d path%s, always_invalidate %s, %s memory export",
                    paths.size(),
                    paths.size() == 1 ? "" : "s",
                    options.alwaysInvalidate() ? "on" : "off",
                    Sizes.format(options.size()));
            return new DemoTarget(device, description, resources);
        } catch (Exception | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    private static Map<String, String> exportParameters(LoadOptions options) {
        return Map.of("size", Long.toString(options.size()));
    }

    BlockDevice device() {
        return device;
    }

    String description() {
        return description;
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                System.err.println("loadgen: closing: " + e);
            }
        }
    }
}
