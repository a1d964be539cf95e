package dev.rtrs.bench.loadgen;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.block.backend.memory.internal.MemoryBackend;
import dev.rtrs.block.client.internal.RnbdClient;
import dev.rtrs.block.server.internal.StandaloneRnbdServer;
import dev.rtrs.heartbeat.internal.HeartbeatMonitor;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The device the load goes to. {@code rnbd} is the appliance's demo in this process, with the settings of its
 * {@code etc/} files ({@link DemoSettings}) and a memory export, and the RNBD client mapping it through session
 * {@code demo} with the mapped device's default options. {@code memory} is the
 * memory backend's device alone, which shows what the load generator itself costs.
 */
final class DemoTarget implements AutoCloseable {

    static final String EXPORT = DemoSettings.EXPORT;

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
            HeartbeatMonitor heartbeat = DemoSettings.heartbeat();
            resources.push(heartbeat);
            RtrsTransport transport = DemoSettings.transport(provider, heartbeat);
            resources.push(transport);
            MemoryBackend memory = MemoryBackend.withDefaults();
            resources.push(memory::deactivate);
            ServerOptions serverOptions = DemoSettings.serverOptions(options.alwaysInvalidate(), 0);
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
