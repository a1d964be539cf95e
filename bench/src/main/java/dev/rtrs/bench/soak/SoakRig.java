package dev.rtrs.bench.soak;

import dev.rtrs.bench.loadgen.DemoSettings;
import dev.rtrs.bench.loadgen.Sizes;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.client.internal.RnbdClient;
import dev.rtrs.block.server.internal.StandaloneRnbdServer;
import dev.rtrs.errno.Errno;
import dev.rtrs.heartbeat.internal.HeartbeatMonitor;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.TransportException;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The appliance's demo in this process, with a server that can be restarted: an RNBD server on 127.0.0.1 and
 * 127.0.0.2 exporting a memory device whose memory survives the restarts ({@link KeptStorage}), and the RNBD client
 * mapping it through a session with one path to each address, with the mapped device's default options (reconnect
 * every 2 s, IO held for at most 30 s while no path is up). Faults are injected from one thread at a time.
 */
final class SoakRig implements AutoCloseable {

    static final String SESSION = "soak";
    /** Binding the port again right after a close may find it still taken for a moment: retried this often. */
    private static final int LISTEN_ATTEMPTS = 20;

    private static final long LISTEN_RETRY_MS = 100;

    private final SoakOptions options;
    private final TcpVerbsProvider provider;
    private final HeartbeatMonitor heartbeat;
    private final RtrsTransport transport;
    private final KeptStorage storage;
    private final int port;
    private final RnbdClient client;
    private final BlockDevice device;
    /** The server now; replaced by each restart, null while it is down. */
    private volatile ServerEndpoint server;

    private SoakRig(
            SoakOptions options,
            TcpVerbsProvider provider,
            HeartbeatMonitor heartbeat,
            RtrsTransport transport,
            KeptStorage storage,
            ServerEndpoint server,
            RnbdClient client,
            BlockDevice device) {
        this.options = options;
        this.provider = provider;
        this.heartbeat = heartbeat;
        this.transport = transport;
        this.storage = storage;
        this.server = server;
        this.port = server.localAddresses().get(0).getPort();
        this.client = client;
        this.device = device;
    }

    static SoakRig start(SoakOptions options) throws Exception {
        TcpVerbsProvider provider = new TcpVerbsProvider();
        HeartbeatMonitor heartbeat = DemoSettings.heartbeat();
        RtrsTransport transport = DemoSettings.transport(provider, heartbeat);
        KeptStorage storage = new KeptStorage();
        ServerEndpoint server = null;
        RnbdClient client = null;
        try {
            server = listen(transport, storage, options, 0);
            List<PathAddress> paths = new ArrayList<>();
            for (InetSocketAddress a : server.localAddresses()) {
                paths.add(PathAddress.of(a.getAddress().getHostAddress(), a.getPort()));
            }
            client = new RnbdClient(transport);
            BlockDevice device =
                    client.map(RnbdClient.MapSpec.builder(DemoSettings.EXPORT, SESSION, DemoSettings.EXPORT)
                            .paths(paths)
                            .build());
            return new SoakRig(options, provider, heartbeat, transport, storage, server, client, device);
        } catch (Exception | Error e) {
            closeAll(client, server, storage, transport, heartbeat, provider);
            throw e;
        }
    }

    private static ServerEndpoint listen(RtrsTransport transport, KeptStorage storage, SoakOptions options, int port)
            throws Exception {
        return StandaloneRnbdServer.listen(
                transport,
                DemoSettings.serverOptions(options.alwaysInvalidate(), port),
                storage,
                DemoSettings.EXPORT,
                Map.of("size", Long.toString(options.size())));
    }

    BlockDevice device() {
        return device;
    }

    String description() {
        return String.format(
                "RNBD over the tcp provider in one process, session %s with 2 paths (127.0.0.1 and 127.0.0.2 port %d),"
                        + " always_invalidate %s, %s memory export",
                SESSION, port, options.alwaysInvalidate() ? "on" : "off", Sizes.format(options.size()));
    }

    /** The server addresses of the session's paths, in the order the client has them. */
    List<InetAddress> serverAddresses() {
        List<InetAddress> addresses = new ArrayList<>();
        for (PathInfo p : clientPaths()) {
            addresses.add(p.destination().getAddress());
        }
        return addresses;
    }

    /** The client session's paths with their counters; empty when the session is gone. */
    List<PathInfo> clientPaths() {
        return clientSession().map(ClientSession::paths).orElse(List.of());
    }

    /** Each path of the client session with its state, e.g. {@code 127.0.0.1:1234 CONNECTED}, for messages. */
    String pathStates() {
        StringBuilder s = new StringBuilder();
        for (PathInfo p : clientPaths()) {
            s.append(s.length() == 0 ? "" : ", ")
                    .append(p.destination().getAddress().getHostAddress())
                    .append(':')
                    .append(p.destination().getPort())
                    .append(' ')
                    .append(p.state());
        }
        return s.length() == 0 ? "no session" : s.toString();
    }

    /** Whether every path of the client session is connected. */
    boolean allPathsConnected() {
        List<PathInfo> paths = clientPaths();
        return !paths.isEmpty() && paths.stream().allMatch(p -> p.state() == PathState.CONNECTED);
    }

    private Optional<ClientSession> clientSession() {
        return transport.clientSessions().stream()
                .filter(s -> s.name().equals(SESSION))
                .findFirst();
    }

    /**
     * Closes, on the server, the session's path that ends at {@code serverAddress}, as an operator's
     * {@code ServerSession.closePath}: the client fails its IO over to the other path and reconnects this one.
     *
     * @return the closed path's name, or null when the server has no such path now
     */
    String closePath(InetAddress serverAddress) {
        ServerEndpoint s = server;
        Optional<ServerSession> session = s == null ? Optional.empty() : s.session(SESSION);
        if (session.isEmpty()) {
            return null;
        }
        for (PathInfo p : session.get().paths()) {
            // a path is named client@server on both sides: on the server too, its destination is the server's address
            if (p.destination().getAddress().equals(serverAddress)) {
                return session.get().closePath(p.uuid()) ? p.name() : null;
            }
        }
        return null;
    }

    /**
     * Closes the whole server (every session, the listeners, the old server's handles on the storage), waits
     * {@code downMs}, and starts a new server on the same addresses, port and storage. Blocks for all of it.
     *
     * @throws TransportException when the port cannot be bound again within about two seconds
     */
    void restartServer(long downMs) throws Exception {
        ServerEndpoint old = server;
        server = null;
        old.close();
        storage.closeHandles();
        Thread.sleep(downMs);
        for (int attempt = 1; ; attempt++) {
            try {
                server = listen(transport, storage, options, port);
                return;
            } catch (TransportException e) {
                if (e.errno() != Errno.EADDRINUSE || attempt == LISTEN_ATTEMPTS) {
                    throw e;
                }
                Thread.sleep(LISTEN_RETRY_MS);
            }
        }
    }

    /** Unmaps the device, stops the server and releases everything, last started first. */
    @Override
    public void close() {
        closeAll(client, server, storage, transport, heartbeat, provider);
    }

    /** Closes each in turn, last started first, whatever one of them throws. */
    private static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable c : parts) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.out.println("soak: closing " + c.getClass().getSimpleName() + ": " + e);
        }
    }
}
