package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.heartbeat.internal.HeartbeatMonitor;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.RequestHandler;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stale write: a write reaches the backend over a path that then dies, and is still running there when the
 * client resubmits it on the other path and, once that completes, writes newer data to the same block. The newer
 * data must be what remains: the resubmission may not start before the first run has left the backend.
 */
@Timeout(90)
class StaleWriteTest {

    private static final int BLOCK = 4096;

    /** A store that holds the first write of block 0 until the test lets it go, and checks chunk exclusivity. */
    static final class SlowFirstWrite implements RequestHandler {
        final byte[] store = new byte[16 * BLOCK];
        final CountDownLatch firstArrived = new CountDownLatch(1);
        final CountDownLatch releaseFirst = new CountDownLatch(1);
        final AtomicInteger block0Writes = new AtomicInteger();
        final AtomicInteger concurrentBlock0 = new AtomicInteger();
        volatile boolean overlapSeen;

        @Override
        public void onRequest(ServerRequest request) {
            long offset = request.userHeader().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (request.direction() == Direction.WRITE && offset == 0 && block0Writes.getAndIncrement() == 0) {
                firstArrived.countDown();
                Thread t = new Thread(
                        () -> {
                            try {
                                releaseFirst.await(60, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            serve(request, offset);
                        },
                        "slow-backend");
                t.start();
                return;
            }
            serve(request, offset);
        }

        private void serve(ServerRequest request, long offset) {
            if (offset == 0 && concurrentBlock0.incrementAndGet() > 1) {
                overlapSeen = true;
            }
            ByteBuffer data = request.data();
            synchronized (store) {
                if (request.direction() == Direction.WRITE) {
                    data.duplicate().get(store, (int) offset, data.remaining());
                } else {
                    data.duplicate().put(store, (int) offset, data.remaining());
                }
            }
            if (offset == 0) {
                concurrentBlock0.decrementAndGet();
            }
            request.respond(0);
        }
    }

    /**
     * @param clientOnly the break is seen by the client only (its packets dropped, the server's path lives on), or
     *                   by both sides (the server closes the path)
     */
    @ParameterizedTest(name = "break seen by the client only: {0}")
    @ValueSource(booleans = {false, true})
    void theNewerWriteIsWhatRemains(boolean clientOnly) throws Exception {
        if (clientOnly) {
            FirewallDrop.assumeAvailable();
        }
        SlowFirstWrite backend = new SlowFirstWrite();
        try (TcpVerbsProvider provider = new TcpVerbsProvider();
                HeartbeatMonitor heartbeat = new HeartbeatMonitor(100, 3);
                RtrsTransport serverSide = new RtrsTransport().addProvider(provider);
                RtrsTransport clientSide =
                        new RtrsTransport().addProvider(provider).setHeartbeat(heartbeat);
                FirewallDrop firewall = new FirewallDrop()) {
            ServerEndpoint server = serverSide.listen(
                    ServerOptions.defaults(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                            .withPort(0)
                            .withQueueDepth(8)
                            .withChunkSize(64 * 1024),
                    backend,
                    null);
            int port = server.localAddresses().get(0).getPort();
            // the first IO goes to the second path: round-robin starts there once both are up
            ClientSession s = clientSide.open(
                    ClientSessionOptions.builder("stale-" + clientOnly)
                            .paths(PathAddress.parse("127.0.0.1", port), PathAddress.parse("127.0.0.2", port))
                            .policy("round-robin")
                            .connectionsPerPath(2)
                            .reconnectDelay(Duration.ofMillis(200))
                            .connectTimeout(Duration.ofSeconds(2))
                            .build(),
                    null);
            Await.until(
                    () -> s.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED),
                    Duration.ofSeconds(10),
                    "both paths connected");
            byte[] old = filled((byte) 0xAA);
            byte[] newer = filled((byte) 0x55);

            // W1: old data, stuck in the backend
            Permit p1 = s.acquirePermit();
            CompletableFuture<Integer> w1 = new CompletableFuture<>();
            s.submit(p1, Direction.WRITE, header(0), new ByteBuffer[] {ByteBuffer.wrap(old)}, w1::complete);
            assertTrue(backend.firstArrived.await(10, TimeUnit.SECONDS));
            String pathOfW1 = s.paths().stream()
                    .filter(p -> p.statistics().inflight() > 0)
                    .findFirst()
                    .orElseThrow()
                    .destination()
                    .getAddress()
                    .getHostAddress();

            // its path dies
            if (clientOnly) {
                firewall.drop(pathOfW1, port);
            } else {
                server.sessions().get(0).paths().stream()
                        .filter(p ->
                                p.destination().getAddress().getHostAddress().equals(pathOfW1))
                        .findFirst()
                        .ifPresent(p -> server.sessions().get(0).closePath(p.uuid()));
            }
            Thread.sleep(1_500);
            assertFalse(w1.isDone(), "the resubmitted write waits while its first run is in the backend");

            backend.releaseFirst.countDown();
            assertEquals(0, w1.get(20, TimeUnit.SECONDS), "the write completes once its first run is out");
            s.releasePermit(p1);

            // W2: newer data, after W1 completed
            assertEquals(0, Fixture.io(s, Direction.WRITE, 0, ByteBuffer.wrap(newer)));
            Thread.sleep(500);
            ByteBuffer back = ByteBuffer.allocate(BLOCK);
            assertEquals(0, Fixture.io(s, Direction.READ, 0, back));
            assertArrayEquals(newer, back.array(), "the newer data remains");
            synchronized (backend.store) {
                assertArrayEquals(newer, Arrays.copyOf(backend.store, BLOCK));
            }
            assertFalse(backend.overlapSeen, "two IOs of one chunk were never in the backend at once");
            firewall.restore();
            s.close();
        }
    }

    private static byte[] filled(byte b) {
        byte[] a = new byte[BLOCK];
        Arrays.fill(a, b);
        return a;
    }

    private static ByteBuffer header(long offset) {
        return StorageHandler.header(offset);
    }
}
