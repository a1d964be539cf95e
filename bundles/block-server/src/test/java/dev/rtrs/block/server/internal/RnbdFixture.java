package dev.rtrs.block.server.internal;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.backend.file.internal.FileBackend;
import dev.rtrs.block.backend.memory.internal.MemoryBackend;
import dev.rtrs.block.client.internal.MappedDevice;
import dev.rtrs.block.client.internal.RnbdClient;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An RNBD server and client in one JVM over the TCP verbs provider on loopback, with a memory export, a
 * read-only one, one restricted to a session, and a search path for file exports.
 */
final class RnbdFixture implements AutoCloseable {

    static final int QUEUE_DEPTH = 16;
    static final int CHUNK = 64 * 1024;

    final TcpVerbsProvider provider = new TcpVerbsProvider();
    final RtrsTransport transport = new RtrsTransport().addProvider(provider);
    final MemoryBackend memory = MemoryBackend.withDefaults();
    final FileBackend file = FileBackend.withDefaults();
    final ExportRegistry registry;
    final RnbdServerCore core;
    final RnbdClient client = new RnbdClient(transport);
    final Path searchDir;
    ServerEndpoint server;
    int port;

    RnbdFixture(Path searchDir) throws Exception {
        this.searchDir = searchDir;
        registry = new ExportRegistry(searchDir.toString());
        registry.addBackend(memory);
        registry.addBackend(file);
        registry.addDefinition(new ExportDefinition("mem", "memory", Map.of("size", "16M"), false, Set.of()));
        registry.addDefinition(new ExportDefinition("mem-ro", "memory", Map.of("size", "1M"), true, Set.of()));
        registry.addDefinition(new ExportDefinition("private", "memory", Map.of("size", "1M"), false, Set.of("vip")));
        core = new RnbdServerCore(registry, CHUNK - 4096);
        startServer(0);
    }

    void startServer(int onPort) throws Exception {
        server = transport.listen(
                ServerOptions.defaults(InetAddress.getByName("127.0.0.1"))
                        .withPort(onPort)
                        .withQueueDepth(QUEUE_DEPTH)
                        .withChunkSize(CHUNK),
                core,
                core);
        port = server.localAddresses().get(0).getPort();
    }

    RnbdClient.MapSpec spec(String name, String session, String devicePath, AccessMode mode) {
        return RnbdClient.MapSpec.builder(name, session, devicePath)
                .paths(List.of(PathAddress.parse("127.0.0.1", port)))
                .mode(mode)
                .connectionsPerPath(2)
                .reconnectDelay(Duration.ofMillis(200))
                .connectTimeout(Duration.ofSeconds(10))
                .ioTimeoutMs(20_000)
                .build();
    }

    MappedDevice map(String name, String session, String devicePath, AccessMode mode) throws Exception {
        return client.map(spec(name, session, devicePath, mode));
    }

    // ---- synchronous block operations for tests ----

    static int read(BlockDevice d, long offset, ByteBuffer dst) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        d.read(offset, dst, f::complete);
        return f.get(30, TimeUnit.SECONDS);
    }

    static int write(BlockDevice d, long offset, ByteBuffer src, int flags) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        d.write(offset, src, flags, f::complete);
        return f.get(30, TimeUnit.SECONDS);
    }

    static int flush(BlockDevice d) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        d.flush(f::complete);
        return f.get(30, TimeUnit.SECONDS);
    }

    static int discard(BlockDevice d, long offset, long length) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        d.discard(offset, length, f::complete);
        return f.get(30, TimeUnit.SECONDS);
    }

    static int writeZeroes(BlockDevice d, long offset, long length) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        d.writeZeroes(offset, length, f::complete);
        return f.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        client.close();
        transport.close();
        memory.deactivate();
        file.deactivate();
        provider.close();
    }
}
