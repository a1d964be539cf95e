package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerLinkListener;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.SessionState;
import dev.rtrs.transport.TransportException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Client and server in one JVM over the TCP verbs provider on loopback. */
@Timeout(60)
class TransportIoTest {

    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    private static ByteBuffer random(Random rnd, int size) {
        byte[] b = new byte[size];
        rnd.nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    @ParameterizedTest(name = "always_invalidate={0}")
    @ValueSource(booleans = {true, false})
    void writeThenReadRandomDataFromOneByteToMaxIoSize(boolean alwaysInvalidate) throws Exception {
        try (Fixture f = new Fixture(alwaysInvalidate)) {
            ClientSession s = f.open("sizes");
            assertEquals(SessionState.CONNECTED, s.state());
            assertEquals(Fixture.QUEUE_DEPTH, s.queueDepth());
            int max = s.maxIoSize();
            assertEquals(Fixture.CHUNK - 4096, max);
            Random rnd = new Random(42);
            long offset = 0;
            for (int size : new int[] {1, 2, 7, 511, 512, 513, 4095, 4096, 4097, 12345, max - 1, max}) {
                ByteBuffer data = random(rnd, size);
                assertEquals(0, Fixture.io(s, Direction.WRITE, offset, data.duplicate()), "write of " + size);
                ByteBuffer back = ByteBuffer.allocate(size);
                assertEquals(0, Fixture.io(s, Direction.READ, offset, back), "read of " + size);
                assertArrayEquals(data.array(), back.array(), "data of " + size + " bytes");
                offset += size;
            }
        }
    }

    @ParameterizedTest(name = "always_invalidate={0}")
    @ValueSource(booleans = {true, false})
    void scatterListsInBothDirections(boolean alwaysInvalidate) throws Exception {
        try (Fixture f = new Fixture(alwaysInvalidate)) {
            ClientSession s = f.open("scatter");
            Random rnd = new Random(7);
            ByteBuffer a = random(rnd, 1000);
            ByteBuffer b = random(rnd, 3);
            ByteBuffer c = random(rnd, 20000);
            assertEquals(0, Fixture.io(s, Direction.WRITE, 100, a.duplicate(), b.duplicate(), c.duplicate()));
            ByteBuffer[] parts = {ByteBuffer.allocate(5), ByteBuffer.allocate(15000), ByteBuffer.allocateDirect(5998)};
            assertEquals(0, Fixture.io(s, Direction.READ, 100, parts));
            ByteBuffer expected =
                    ByteBuffer.allocate(21003).put(a).put(b).put(c).flip();
            ByteBuffer actual = ByteBuffer.allocate(21003);
            for (ByteBuffer p : parts) {
                actual.put(p.duplicate());
            }
            assertEquals(expected, actual.flip());
            assertEquals(0, parts[0].position(), "the caller's buffer positions are left alone");
        }
    }

    @Test
    void zeroLengthIoCarriesOnlyTheHeader() throws Exception {
        try (Fixture f = new Fixture(true)) {
            ClientSession s = f.open("empty");
            assertEquals(0, Fixture.io(s, Direction.WRITE, 0));
            assertEquals(0, Fixture.io(s, Direction.READ, 0));
            assertEquals(2, f.storage.requests.get());
        }
    }

    @ParameterizedTest(name = "always_invalidate={0}")
    @ValueSource(booleans = {true, false})
    void saturatingLoadFromManyThreadsStaysWithinTheQueueDepth(boolean alwaysInvalidate) throws Exception {
        int depth = 8;
        try (Fixture f = new Fixture(alwaysInvalidate, depth, true)) {
            ClientSession s = f.open("saturate");
            assertEquals(depth, s.queueDepth());
            int threads = 6;
            int perThread = 150;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                results.add(pool.submit(() -> {
                    Random rnd = new Random(me);
                    for (int i = 0; i < perThread; i++) {
                        int size = 1 + rnd.nextInt(16384);
                        long offset = me * 1_000_000L + rnd.nextInt(900_000);
                        ByteBuffer data = random(rnd, size);
                        assertEquals(0, Fixture.io(s, Direction.WRITE, offset, data.duplicate()));
                        ByteBuffer back = ByteBuffer.allocate(size);
                        assertEquals(0, Fixture.io(s, Direction.READ, offset, back));
                        assertArrayEquals(data.array(), back.array());
                    }
                    return null;
                }));
            }
            for (Future<?> r : results) {
                r.get(50, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertTrue(
                    f.storage.maxConcurrent.get() <= depth,
                    "at most " + depth + " IOs in the server at once, saw " + f.storage.maxConcurrent.get());
            assertTrue(f.storage.maxConcurrent.get() > 1, "the load overlapped");
            long ios = s.paths().stream()
                    .mapToLong(p -> p.statistics().readCount() + p.statistics().writeCount())
                    .sum();
            assertEquals(2L * threads * perThread, ios);
        }
    }

    @Test
    void severalSessionsWithSeveralPathsEach() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.1");
        InetAddress b = InetAddress.getByName("127.0.0.2");
        try (Fixture f = new Fixture(true, Fixture.QUEUE_DEPTH, false, a, b)) {
            List<ClientSession> sessions = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                sessions.add(f.open("multi-" + i, "127.0.0.1", "127.0.0.2"));
            }
            Random rnd = new Random(3);
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < sessions.size(); i++) {
                    ByteBuffer data = random(rnd, 4096);
                    long offset = i * 65536L + round * 4096L;
                    assertEquals(0, Fixture.io(sessions.get(i), Direction.WRITE, offset, data.duplicate()));
                    ByteBuffer back = ByteBuffer.allocate(4096);
                    assertEquals(0, Fixture.io(sessions.get(i), Direction.READ, offset, back));
                    assertEquals(data.rewind(), back.rewind());
                }
            }
            assertEquals(3, f.server.sessions().size());
            for (ClientSession s : sessions) {
                List<PathInfo> paths = s.paths();
                assertEquals(2, paths.size());
                for (PathInfo p : paths) {
                    assertTrue(
                            p.statistics().writeCount() + p.statistics().readCount() > 0,
                            "every path carried IO: " + p);
                }
                assertEquals(2, f.server.session(s.name()).orElseThrow().paths().size());
            }
        }
    }

    @Test
    void linkEventsTellSessionsAndPathsComingAndGoing() throws Exception {
        try (Fixture f = new Fixture(true)) {
            Queue<String> server = new ConcurrentLinkedQueue<>();
            Queue<String> client = new ConcurrentLinkedQueue<>();
            ServerEndpoint endpoint = f.transport.listen(
                    ServerOptions.defaults(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                            .withPort(0)
                            .withQueueDepth(4)
                            .withChunkSize(16384),
                    r -> r.respond(0),
                    new ServerLinkListener() {
                        @Override
                        public void sessionConnected(ServerSession s) {
                            server.add("session up " + s.name());
                        }

                        @Override
                        public void sessionDisconnected(ServerSession s) {
                            server.add("session down " + s.name());
                        }

                        @Override
                        public void pathConnected(ServerSession s, PathInfo p) {
                            server.add("path up");
                        }

                        @Override
                        public void pathDisconnected(ServerSession s, PathInfo p) {
                            server.add("path down");
                        }
                    });
            int port = endpoint.localAddresses().get(0).getPort();
            ClientSession s = f.transport.open(
                    ClientSessionOptions.builder("events")
                            .paths(PathAddress.parse("127.0.0.1", port), PathAddress.parse("127.0.0.2", port))
                            .connectionsPerPath(2)
                            .build(),
                    (session, e) -> client.add(e.name()));
            Await.until(() -> server.stream().filter("path up"::equals).count() == 2, TEN_SECONDS, server::toString);
            s.close();
            Await.until(() -> server.contains("session down events"), TEN_SECONDS, server::toString);
            List<String> seen = List.copyOf(server);
            assertEquals("session up events", seen.get(0));
            assertEquals(2, seen.stream().filter("path down"::equals).count(), seen.toString());
            assertEquals("session down events", seen.get(seen.size() - 1));
            Await.until(() -> client.contains("CONNECTED"), TEN_SECONDS, client::toString);
        }
    }

    @Test
    void linkListenersAreToldWithNoTransportLockHeldAndMayCallBackIntoTheTransport() throws Exception {
        try (Fixture f = new Fixture(true)) {
            Queue<String> server = new ConcurrentLinkedQueue<>();
            Queue<String> lockedCalls = new ConcurrentLinkedQueue<>();
            ServerEndpoint[] endpoint = new ServerEndpoint[1];
            endpoint[0] = f.transport.listen(
                    ServerOptions.builder(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                            .port(0)
                            .queueDepth(4)
                            .chunkSize(16384)
                            .build(),
                    r -> r.respond(0),
                    new ServerLinkListener() {
                        private void check(String event, ServerSession s) {
                            if (Thread.holdsLock(s) || Thread.holdsLock(endpoint[0])) {
                                lockedCalls.add(event);
                            }
                            server.add(event);
                        }

                        @Override
                        public void sessionConnected(ServerSession s) {
                            check("session up", s);
                        }

                        @Override
                        public void sessionDisconnected(ServerSession s) {
                            check("session down", s);
                        }

                        @Override
                        public void pathConnected(ServerSession s, PathInfo p) {
                            check("path up", s);
                            // the second path is closed from inside the callback: the client reconnects it
                            if (server.stream().filter("path up"::equals).count() == 2
                                    && endpoint[0].session(s.name()).isPresent()) {
                                s.closePath(p.uuid());
                            }
                        }

                        @Override
                        public void pathDisconnected(ServerSession s, PathInfo p) {
                            check("path down", s);
                        }
                    });
            int port = endpoint[0].localAddresses().get(0).getPort();
            ClientSession s = f.transport.open(
                    ClientSessionOptions.builder("callback")
                            .paths(PathAddress.parse("127.0.0.1", port), PathAddress.parse("127.0.0.2", port))
                            .connectionsPerPath(1)
                            .reconnectDelay(Duration.ofMillis(100))
                            .build(),
                    null);
            Await.until(() -> server.stream().filter("path up"::equals).count() == 3, TEN_SECONDS, server::toString);
            Await.until(() -> s.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED), TEN_SECONDS, "");
            s.close();
            Await.until(() -> server.contains("session down"), TEN_SECONDS, server::toString);
            List<String> seen = List.copyOf(server);
            assertEquals(
                    List.of(
                            "session up",
                            "path up",
                            "path up",
                            "path down",
                            "path up",
                            "path down",
                            "path down",
                            "session down"),
                    seen,
                    "the path closed from the callback came back; the session went after its paths");
            assertTrue(lockedCalls.isEmpty(), "told while holding a transport lock: " + lockedCalls);
        }
    }

    @Test
    void statisticsCountAndReset() throws Exception {
        try (Fixture f = new Fixture(true)) {
            ClientSession s = f.open("stats");
            for (int i = 0; i < 5; i++) {
                Fixture.io(s, Direction.WRITE, 0, ByteBuffer.allocate(1000));
            }
            for (int i = 0; i < 3; i++) {
                Fixture.io(s, Direction.READ, 0, ByteBuffer.allocate(300));
            }
            PathStatistics st = s.paths().get(0).statistics();
            assertEquals(new PathStatistics(3, 900, 5, 5000, 0, 0, 0, 0), st);
            PathStatistics server =
                    f.server.session("stats").orElseThrow().paths().get(0).statistics();
            assertEquals(5, server.writeCount());
            assertEquals(900, server.readBytes());
            s.resetStatistics();
            assertEquals(
                    new PathStatistics(0, 0, 0, 0, 0, 0, 0, 0), s.paths().get(0).statistics());
        }
    }

    @Test
    void serverErrnoAndHeaderReachTheClient() throws Exception {
        try (Fixture f = new Fixture(true)) {
            ClientSession s = f.open("errno");
            f.storage.forcedErrno = Errno.ENOSPC;
            assertEquals(Errno.ENOSPC, Fixture.io(s, Direction.WRITE, 0, ByteBuffer.allocate(10)));
            f.storage.forcedErrno = 511;
            assertEquals(511, Fixture.io(s, Direction.READ, 0, ByteBuffer.allocate(10)));
            f.storage.forcedErrno = 0;
            assertEquals(Errno.ERANGE, Fixture.io(s, Direction.WRITE, 1L << 40, ByteBuffer.allocate(10)));
        }
    }

    @Test
    void badSubmissionsAreRefusedWithoutCallback() throws Exception {
        try (Fixture f = new Fixture(true)) {
            ClientSession s = f.open("refuse");
            ClientSession other = f.open("other");
            Permit p = s.acquirePermit();
            Permit foreign = other.acquirePermit();
            ByteBuffer h = StorageHandler.header(0);
            assertEquals(
                    Errno.EINVAL,
                    assertThrows(
                                    TransportException.class,
                                    () -> s.submit(
                                            p,
                                            Direction.WRITE,
                                            h,
                                            new ByteBuffer[] {ByteBuffer.allocate(s.maxIoSize() + 1)},
                                            e -> {}))
                            .errno());
            assertEquals(
                    Errno.EINVAL,
                    assertThrows(
                                    TransportException.class,
                                    () -> s.submit(
                                            p,
                                            Direction.WRITE,
                                            ByteBuffer.allocate(s.maxHeaderSize() + 1),
                                            new ByteBuffer[0],
                                            e -> {}))
                            .errno());
            assertEquals(
                    Errno.EINVAL,
                    assertThrows(
                                    TransportException.class,
                                    () -> s.submit(foreign, Direction.WRITE, h, new ByteBuffer[0], e -> {}))
                            .errno());
            assertEquals(
                    Errno.EINVAL,
                    assertThrows(
                                    TransportException.class,
                                    () -> s.submit(
                                            p,
                                            Direction.READ,
                                            h,
                                            new ByteBuffer[] {
                                                ByteBuffer.allocate(4).asReadOnlyBuffer()
                                            },
                                            e -> {}))
                            .errno());
            assertThrows(IllegalArgumentException.class, () -> s.releasePermit(foreign));
            s.releasePermit(p);
            assertThrows(IllegalStateException.class, () -> s.releasePermit(p));
            assertEquals(0, Fixture.io(s, Direction.WRITE, 0, ByteBuffer.allocate(1)), "the session still works");
        }
    }

    @Test
    void closingFailsWaitingCallersAndIosInFlight() throws Exception {
        try (Fixture f = new Fixture(true, 4, false)) {
            ClientSession s = f.open("closing");
            f.storage.hold = true;
            List<CompletableFuture<Integer>> inflight = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Permit p = s.acquirePermit();
                CompletableFuture<Integer> done = new CompletableFuture<>();
                s.submit(
                        p,
                        Direction.WRITE,
                        StorageHandler.header(0),
                        new ByteBuffer[] {ByteBuffer.allocate(8)},
                        done::complete);
                inflight.add(done);
            }
            CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    s.acquirePermit();
                    return 0;
                } catch (TransportException e) {
                    return e.errno();
                } catch (InterruptedException e) {
                    return -1;
                }
            });
            Thread.sleep(100);
            s.close();
            assertEquals(Errno.ESHUTDOWN, waiter.get(5, TimeUnit.SECONDS));
            for (CompletableFuture<Integer> d : inflight) {
                assertEquals(Errno.ESHUTDOWN, d.get(5, TimeUnit.SECONDS));
            }
            assertEquals(SessionState.CLOSED, s.state());
            assertEquals(
                    Errno.ESHUTDOWN,
                    assertThrows(TransportException.class, s::acquirePermit).errno());
        }
    }
}
