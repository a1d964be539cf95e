package dev.rtrs.transport.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientLinkListener.LinkEvent;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.RequestHandler;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.SessionState;
import dev.rtrs.transport.TransportException;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Paths that break: in-flight IO moves to a healthy path, paths reconnect, and storms of it do not hang. */
@Timeout(90)
class FailoverTest {

    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    private final TcpVerbsProvider provider = new TcpVerbsProvider();
    private final RtrsTransport transport = new RtrsTransport().addProvider(provider);

    @AfterEach
    void stop() {
        transport.close();
        provider.close();
    }

    private ServerEndpointImpl listen(int port, RequestHandler handler) throws Exception {
        return (ServerEndpointImpl) transport.listen(
                ServerOptions.builder(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                        .port(port)
                        .queueDepth(8)
                        .chunkSize(16384)
                        .build(),
                handler,
                null);
    }

    /** Opens a session with two paths and waits until both are connected (open returns after the first). */
    private ClientSession open(int port, String name, ConcurrentLinkedQueue<LinkEvent> events) throws Exception {
        ClientSession s = transport.open(
                ClientSessionOptions.builder(name)
                        .paths(PathAddress.parse("127.0.0.1", port), PathAddress.parse("127.0.0.2", port))
                        .connectionsPerPath(2)
                        .reconnectDelay(Duration.ofMillis(100))
                        .connectTimeout(Duration.ofSeconds(10))
                        .build(),
                (session, e) -> events.add(e));
        Await.until(
                () -> s.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED),
                TEN_SECONDS,
                "both paths connected");
        return s;
    }

    @Test
    void inFlightIoMovesToTheHealthyPathWhenItsPathDies() throws Exception {
        ConcurrentLinkedQueue<ServerRequest> held = new ConcurrentLinkedQueue<>();
        ServerEndpointImpl server = listen(0, held::add);
        ClientSession s = open(server.localAddresses().get(0).getPort(), "failover", new ConcurrentLinkedQueue<>());
        List<CompletableFuture<Integer>> done = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Permit p = s.acquirePermit();
            CompletableFuture<Integer> f = new CompletableFuture<>();
            s.submit(
                    p, Direction.WRITE, ByteBuffer.allocate(8), new ByteBuffer[] {ByteBuffer.allocate(4096)}, errno -> {
                        f.complete(errno);
                        s.releasePermit(p);
                    });
            done.add(f);
        }
        Await.until(() -> held.size() >= 6, TEN_SECONDS, "all IOs reached the server and wait there");
        assertEquals(6, held.size(), "all IOs reached the server and wait there");
        // kill the path that carries the first IO; its IOs must go over to the other path
        ServerPath victim = ServerIo.of(held.peek()).path;
        victim.close("test: link down");
        // respond to everything the server holds: the dead path's requests are answered too, and those answers
        // must be dropped, not taken for the answers of the IOs that moved into the same chunks
        Await.until(
                () -> {
                    for (ServerRequest r = held.poll(); r != null; r = held.poll()) {
                        r.respond(0);
                    }
                    return done.stream().allMatch(CompletableFuture::isDone);
                },
                TEN_SECONDS,
                "every IO completed");
        for (CompletableFuture<Integer> f : done) {
            assertEquals(0, f.get(1, TimeUnit.SECONDS), "every IO completed successfully");
        }
        long failedOver =
                s.paths().stream().mapToLong(p -> p.statistics().failedOver()).sum();
        assertTrue(failedOver > 0, "the statistics count the fail-over");
        assertEquals(SessionState.CONNECTED, s.state(), "one path was healthy all along");
        Await.until(
                () -> s.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED),
                TEN_SECONDS,
                "the dead path reconnected");
        assertTrue(s.paths().stream()
                        .mapToLong(p -> p.statistics().reconnectsSuccessful())
                        .sum()
                >= 1);
    }

    @Test
    void anOperatorClosesOnePathAndTheSessionCarriesOnAndGetsItBack() throws Exception {
        ServerEndpointImpl server = listen(0, r -> r.respond(0));
        ConcurrentLinkedQueue<LinkEvent> events = new ConcurrentLinkedQueue<>();
        ClientSession s = open(server.localAddresses().get(0).getPort(), "one-path", events);
        ServerSession onServer = server.session("one-path").orElseThrow();
        assertTrue(!onServer.closePath(UUID.randomUUID()), "an unknown path");
        assertTrue(onServer.closePath(onServer.paths().get(0).uuid()));
        assertEquals(0, write(s), "IO goes on over the other path");
        Await.until(() -> server.findSession(s.uuid()).paths.size() >= 2, TEN_SECONDS, "the closed path reconnected");
        assertEquals(2, server.findSession(s.uuid()).paths.size(), "the closed path reconnected");
        assertTrue(!events.contains(LinkEvent.DISCONNECTED), "the session as a whole never went down");
    }

    @Test
    void anIoMovedFromADeadPathWaitsForItsPreviousRunAndTheLateAnswerIsDropped() throws Exception {
        ConcurrentLinkedQueue<ServerRequest> held = new ConcurrentLinkedQueue<>();
        ServerEndpointImpl server = listen(0, held::add);
        ClientSession s = open(server.localAddresses().get(0).getPort(), "late", new ConcurrentLinkedQueue<>());
        Permit p = s.acquirePermit();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        s.submit(
                p,
                Direction.WRITE,
                ByteBuffer.allocate(8),
                new ByteBuffer[] {ByteBuffer.allocate(512)},
                done::complete);
        ServerRequest first = Await.value(held::poll, TEN_SECONDS, "the IO reached the server");
        ServerIo.of(first).path.close("test: link down");
        Thread.sleep(300);
        assertTrue(held.isEmpty(), "the moved IO does not reach the backend while its first run is still there");
        assertTrue(!done.isDone());
        first.respond(Errno.EIO);
        ServerRequest moved = Await.value(
                held::poll, TEN_SECONDS, "the IO arrived again over the other path once the chunk was free");
        assertTrue(moved != null && moved != first, "the IO arrived again over the other path once the chunk was free");
        Thread.sleep(100);
        assertTrue(!done.isDone(), "the dead path's late answer did not complete the moved IO");
        moved.respond(0);
        assertEquals(0, done.get(10, TimeUnit.SECONDS));
        s.releasePermit(p);
    }

    @Test
    void aVerbsProviderReplacedUnderRunningSessionsIsPickedUpByServerAndClient() throws Exception {
        ServerEndpointImpl server = listen(0, r -> r.respond(0));
        ConcurrentLinkedQueue<LinkEvent> events = new ConcurrentLinkedQueue<>();
        ClientSession s = open(server.localAddresses().get(0).getPort(), "swap", events);
        assertEquals(0, write(s));
        transport.removeProvider(provider);
        provider.close();
        Await.until(() -> events.contains(LinkEvent.DISCONNECTED), TEN_SECONDS, () -> "the session noticed: " + events);
        try (TcpVerbsProvider replacement = new TcpVerbsProvider()) {
            transport.addProvider(replacement);
            Await.until(
                    () -> events.contains(LinkEvent.RECONNECTED),
                    Duration.ofSeconds(20),
                    () -> "reconnected through the new provider: " + events);
            assertEquals(0, write(s), "IO flows through the new provider");
            s.close();
            transport.close();
        }
    }

    private static int write(ClientSession s) throws Exception {
        Permit p = s.acquirePermit();
        try {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            s.submit(
                    p,
                    Direction.WRITE,
                    ByteBuffer.allocate(8),
                    new ByteBuffer[] {ByteBuffer.allocate(512)},
                    f::complete);
            return f.get(10, TimeUnit.SECONDS);
        } finally {
            s.releasePermit(p);
        }
    }

    @Test
    void aStormOfServerRestartsNeitherHangsNorLeaksTheSession() throws Exception {
        ServerEndpointImpl server = listen(0, r -> r.respond(0));
        int port = server.localAddresses().get(0).getPort();
        ConcurrentLinkedQueue<LinkEvent> events = new ConcurrentLinkedQueue<>();
        ClientSession s = open(port, "storm", events);
        // the provider's and the transport's pools are running now
        int threadsBefore = Thread.activeCount();
        for (int round = 0; round < 8; round++) {
            server.close();
            Thread.sleep(round % 3 * 40L);
            server = listen(port, r -> r.respond(0));
        }
        long end = System.currentTimeMillis() + 20_000;
        int errno = -1;
        while (errno != 0 && System.currentTimeMillis() < end) {
            Permit p = s.acquirePermit();
            CompletableFuture<Integer> f = new CompletableFuture<>();
            try {
                s.submit(p, Direction.WRITE, ByteBuffer.allocate(8), new ByteBuffer[0], f::complete);
                errno = f.get(5, TimeUnit.SECONDS);
            } catch (TransportException notYet) {
                Thread.sleep(50);
            } finally {
                s.releasePermit(p);
            }
        }
        assertEquals(0, errno, "IO flows again after the storm");
        assertTrue(
                events.contains(LinkEvent.DISCONNECTED) && events.contains(LinkEvent.RECONNECTED), events.toString());
        long start = System.nanoTime();
        s.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close does not hang");
        assertTrue(transport.clientSessions().isEmpty(), "the closed session is no longer listed");
        ServerEndpointImpl restarted = server;
        Await.until(
                () -> restarted.sessions().isEmpty(),
                Duration.ofSeconds(5),
                () -> "the server let the session go: " + restarted.sessions());
        // threads come from the provider's fixed pools and the transport's executor: a storm adds none for good
        Await.until(
                () -> Thread.activeCount() <= threadsBefore + 2,
                Duration.ofSeconds(5),
                () -> "threads before " + threadsBefore + ", after "
                        + Thread.getAllStackTraces().keySet().stream()
                                .map(Thread::getName)
                                .sorted()
                                .toList());
    }

    @Test
    void pathsGiveUpAfterMaxReconnectAttemptsAndIoIsThenRefused() throws Exception {
        ServerEndpointImpl server = listen(0, r -> r.respond(0));
        int port = server.localAddresses().get(0).getPort();
        ClientSession s = transport.open(
                ClientSessionOptions.builder("gives-up")
                        .paths(PathAddress.parse("127.0.0.1", port))
                        .connectionsPerPath(2)
                        .reconnectDelay(Duration.ofMillis(50))
                        .maxReconnectAttempts(2)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build(),
                null);
        assertEquals(0, write(s));
        server.close();
        Await.until(
                () -> s.paths().get(0).state() == PathState.CLOSED,
                Duration.ofSeconds(20),
                () -> "the path gave up: " + s.paths());
        assertEquals(3, s.paths().get(0).statistics().reconnectsFailed(), "the first attempt and two more");
        Permit p = s.acquirePermit();
        try {
            TransportException e = assertThrows(
                    TransportException.class,
                    () -> s.submit(p, Direction.WRITE, ByteBuffer.allocate(8), new ByteBuffer[0], errno -> {}));
            assertEquals(Errno.ENOTCONN, e.errno());
            assertTrue(e.getMessage().contains("given up"), e.getMessage());
        } finally {
            s.releasePermit(p);
        }
    }
}
