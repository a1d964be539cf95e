package dev.rtrs.transport.core.it;

import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A transport over the TCP verbs provider on loopback, with a server and helpers to run IO synchronously. */
final class Fixture implements AutoCloseable {

    static final int QUEUE_DEPTH = 32;
    static final int CHUNK = 64 * 1024;

    final TcpVerbsProvider provider = new TcpVerbsProvider();
    final RtrsTransport transport = new RtrsTransport().addProvider(provider);
    final StorageHandler storage;
    final ServerEndpoint server;
    final List<ClientSession> sessions = new ArrayList<>();

    Fixture(boolean alwaysInvalidate, int queueDepth, boolean asyncHandler, InetAddress... addresses) throws Exception {
        storage = new StorageHandler(16 * 1024 * 1024, asyncHandler);
        InetAddress[] listen =
                addresses.length == 0 ? new InetAddress[] {InetAddress.getByName("127.0.0.1")} : addresses;
        server = transport.listen(
                ServerOptions.defaults(listen)
                        .withPort(0)
                        .withQueueDepth(queueDepth)
                        .withChunkSize(CHUNK)
                        .withAlwaysInvalidate(alwaysInvalidate),
                storage,
                null);
    }

    Fixture(boolean alwaysInvalidate) throws Exception {
        this(alwaysInvalidate, QUEUE_DEPTH, false);
    }

    int port() {
        return server.localAddresses().get(0).getPort();
    }

    ClientSessionOptions.Builder options(String name, String... destinations) {
        List<PathAddress> paths = new ArrayList<>();
        for (String d : destinations.length == 0 ? new String[] {"127.0.0.1"} : destinations) {
            paths.add(PathAddress.parse(d, port()));
        }
        return ClientSessionOptions.builder(name)
                .paths(paths)
                .connectionsPerPath(3)
                .connectTimeout(Duration.ofSeconds(10))
                .reconnectDelay(Duration.ofMillis(200));
    }

    /** Opens a session and waits until every path is connected (open itself returns after the first). */
    ClientSession open(String name, String... destinations) throws Exception {
        ClientSession s = transport.open(options(name, destinations).build(), null);
        sessions.add(s);
        Await.until(
                () -> s.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED),
                Duration.ofSeconds(10),
                () -> "paths not connected within 10 s: " + s.paths());
        return s;
    }

    /** One IO, waited for; returns the errno. */
    static int io(ClientSession session, Direction direction, long offset, ByteBuffer... data) throws Exception {
        Permit permit = session.acquirePermit();
        try {
            CompletableFuture<Integer> done = new CompletableFuture<>();
            session.submit(permit, direction, StorageHandler.header(offset), data, done::complete);
            return done.get(20, TimeUnit.SECONDS);
        } finally {
            session.releasePermit(permit);
        }
    }

    @Override
    public void close() {
        for (ClientSession s : sessions) {
            s.close();
        }
        transport.close();
        storage.close();
        provider.close();
    }
}
