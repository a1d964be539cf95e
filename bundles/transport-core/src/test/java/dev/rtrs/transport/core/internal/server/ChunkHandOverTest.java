package dev.rtrs.transport.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.RequestHandler;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A path that dies while its IO is in the backend: its chunk goes to the IO moved to another path only after the
 * dead path's keys are invalid, so nothing written through them can land in the chunk's next use.
 */
@Timeout(60)
class ChunkHandOverTest {

    /** Holds the first request until released; on every later one, records which keys of the dead path live. */
    static final class HoldFirst implements RequestHandler {
        final CountDownLatch firstArrived = new CountDownLatch(1);
        final CountDownLatch releaseFirst = new CountDownLatch(1);
        final AtomicInteger requests = new AtomicInteger();
        final Queue<String> liveKeysSeen = new ConcurrentLinkedQueue<>();
        volatile ServerPath dead;

        @Override
        public void onRequest(ServerRequest request) {
            if (requests.getAndIncrement() == 0) {
                firstArrived.countDown();
                new Thread(
                                () -> {
                                    try {
                                        releaseFirst.await(30, TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                    request.respond(0);
                                },
                                "slow-backend")
                        .start();
                return;
            }
            ServerPath d = dead;
            if (d != null) {
                for (int i = 0; i < d.chunkCount(); i++) {
                    if (d.chunkRegion(i).isRemotelyAccessible()) {
                        liveKeysSeen.add("chunk " + i);
                    }
                }
            }
            request.respond(0);
        }
    }

    @Test
    void theMovedIoGetsTheChunkOnlyAfterTheDeadPathsKeysAreInvalid() throws Exception {
        HoldFirst backend = new HoldFirst();
        try (TcpVerbsProvider provider = new TcpVerbsProvider();
                RtrsTransport transport = new RtrsTransport().addProvider(provider)) {
            ServerEndpointImpl server = (ServerEndpointImpl) transport.listen(
                    ServerOptions.builder(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                            .port(0)
                            .queueDepth(4)
                            .chunkSize(16384)
                            .build(),
                    backend,
                    null);
            int port = server.localAddresses().get(0).getPort();
            ClientSession s = transport.open(
                    ClientSessionOptions.builder("hand-over")
                            .paths(PathAddress.parse("127.0.0.1", port), PathAddress.parse("127.0.0.2", port))
                            .connectionsPerPath(1)
                            .reconnectDelay(Duration.ofSeconds(30))
                            .build(),
                    null);
            Await.until(
                    () -> s.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED),
                    Duration.ofSeconds(10),
                    "both paths connected");
            Permit permit = s.acquirePermit();
            CompletableFuture<Integer> write = new CompletableFuture<>();
            s.submit(
                    permit,
                    Direction.WRITE,
                    ByteBuffer.allocate(8),
                    new ByteBuffer[] {ByteBuffer.allocate(4096)},
                    write::complete);
            assertTrue(backend.firstArrived.await(10, TimeUnit.SECONDS));

            // the server closes the path the write came on, while the write is in the backend
            ServerSessionImpl session = server.findSession(s.uuid());
            ServerPath carrier = null;
            for (ServerPath p : session.paths.values()) {
                if (p.counters.inflight() > 0) {
                    carrier = p;
                }
            }
            assertTrue(carrier != null, "the path carrying the write");
            List<ServerPath> before = new ArrayList<>(session.paths.values());
            backend.dead = carrier;
            session.closePath(carrier.uuid);
            Thread.sleep(500);
            assertFalse(write.isDone(), "the moved write waits for its chunk while the first run is in the backend");

            backend.releaseFirst.countDown();
            assertEquals(0, write.get(10, TimeUnit.SECONDS));
            assertTrue(backend.requests.get() >= 2, "the write ran again on the other path");
            assertTrue(backend.liveKeysSeen.isEmpty(), "the dead path's keys still open: " + backend.liveKeysSeen);
            assertEquals(2, before.size());
            s.releasePermit(permit);
            s.close();
        }
    }
}
