package dev.rtrs.transport.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.InfoRsp;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.SgDesc;
import dev.rtrs.transport.core.internal.wire.WriteMsg;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The attacks of one peer that must not starve the server's other sessions: flooding IO requests beyond its chunks,
 * opening handshakes it never finishes, and sending half a message and stalling. Throughout each, a well-behaved
 * session writes without pause; it must see no error and no gap between two completed IOs longer than
 * {@link #LONGEST_GAP_MS}, and a new session must still be able to connect.
 */
@Timeout(120)
class StarvationTest {

    private static final int QUEUE_DEPTH = 8;
    private static final int CHUNK = 16384;
    private static final long LONGEST_GAP_MS = 2_000;

    private final TcpVerbsProvider provider = new TcpVerbsProvider();
    private final RtrsTransport transport = new RtrsTransport().addProvider(provider);
    /** The handler answers after a millisecond, as a backend would: a chunk stays in use for a while. */
    private final ScheduledExecutorService backend = Executors.newSingleThreadScheduledExecutor();

    private final AtomicInteger lateSessions = new AtomicInteger();
    private ServerEndpointImpl server;
    private GoodLoad good;

    @BeforeEach
    void start() throws Exception {
        server = (ServerEndpointImpl) transport.listen(
                ServerOptions.builder(InetAddress.getByName("127.0.0.1"))
                        .port(0)
                        .queueDepth(QUEUE_DEPTH)
                        .chunkSize(CHUNK)
                        .maxConnectingPaths(16)
                        .handshakeTimeout(Duration.ofSeconds(3))
                        .build(),
                (ServerRequest r) -> backend.schedule(() -> r.respond(0), 1, TimeUnit.MILLISECONDS),
                null);
        good = new GoodLoad(open("good"));
    }

    @AfterEach
    void stop() throws Exception {
        if (good != null) {
            good.stop();
        }
        transport.close();
        provider.close();
        backend.shutdownNow();
    }

    private ClientSession open(String name) throws Exception {
        return transport.open(
                ClientSessionOptions.builder(name)
                        .paths(PathAddress.parse("127.0.0.1", port()))
                        .connectionsPerPath(2)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build(),
                null);
    }

    private int port() {
        return server.localAddresses().get(0).getPort();
    }

    /** Checks the good session's record over the attack, and that a new session can still connect. */
    private void assertNotStarved(String attack) throws Exception {
        ClientSession late = open("late" + lateSessions.incrementAndGet());
        assertEquals(0, SyncIo.write(late), "a session opened during the attack works");
        late.close();
        long ios = good.ios.get();
        Await.until(
                () -> good.ios.get() >= ios + 100, Duration.ofSeconds(10), () -> "the good session moves on: " + good);
        good.stop();
        assertEquals(0, good.errors.get(), attack + ": " + good);
        assertTrue(good.longestGapMs() <= LONGEST_GAP_MS, attack + ": " + good);
    }

    /** A raw client of a new session through its INFO exchange, with its chunks. */
    private RawClient handshaken(InfoRsp[] info) throws Exception {
        RawClient c = new RawClient(provider);
        assertEquals(
                CmEventType.ESTABLISHED,
                c.connect(server.localAddresses().get(0), RawClient.conReq(UUID.randomUUID(), 1))
                        .type());
        info[0] = c.info("flood");
        return c;
    }

    @Test
    void aClientFloodingRequestsBeyondItsChunksIsCutOffAndOthersCarryOn() throws Exception {
        InfoRsp[] info = new InfoRsp[1];
        int posted = 0;
        int refusedPosts = 0;
        try (RawClient flood = handshaken(info)) {
            UUID session = server.sessions().stream()
                    .filter(s -> s.name().equals("flood"))
                    .findFirst()
                    .orElseThrow()
                    .uuid();
            RtrsCodec.encode(new WriteMsg(0), flood.memory.buffer(), 512);
            SendWorkRequest wr = new SendWorkRequest(1);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            // IO requests on every chunk again and again, never waiting for an answer, for at most 3 s
            for (int i = 0; i < 200_000 && System.nanoTime() < end && server.findSession(session) != null; i++) {
                SgDesc chunk = info[0].chunks().get(i % QUEUE_DEPTH);
                wr.reset(i, SendOpcode.RDMA_WRITE_WITH_IMM)
                        .addSge(flood.memory, 0, 512 + WriteMsg.SIZE)
                        .remote(chunk.address(), chunk.key())
                        .immediate(Imm.ioRequest(i % QUEUE_DEPTH, 512, Imm.memBits(QUEUE_DEPTH)));
                try {
                    flood.qp.postSend(wr);
                    posted++;
                } catch (VerbsException full) {
                    refusedPosts++;
                    Thread.onSpinWait();
                }
            }
            Await.until(
                    () -> server.findSession(session) == null,
                    Duration.ofSeconds(10),
                    "the flooding session is closed: a request for a chunk still in use is a protocol error");
        }
        assertTrue(posted > QUEUE_DEPTH, posted + " requests posted, " + refusedPosts + " refused by a full queue");
        assertNotStarved("request flood");
    }

    @Test
    void handshakesNeverFinishedCannotLockOutOtherSessions() throws Exception {
        List<RawClient> halfOpen = new ArrayList<>();
        List<UUID> sessions = new ArrayList<>();
        try {
            // four times the server's limit of paths in their handshake, each holding a connection and never
            // sending INFO_REQ: the oldest are closed to make room, the rest by the handshake timeout
            for (int i = 0; i < 64; i++) {
                RawClient c = new RawClient(provider);
                halfOpen.add(c);
                UUID session = UUID.randomUUID();
                sessions.add(session);
                c.connect(server.localAddresses().get(0), RawClient.conReq(session, 2));
            }
            long held =
                    sessions.stream().filter(u -> server.findSession(u) != null).count();
            assertTrue(held > 0 && held <= 16, held + " half-open handshakes held, the limit is 16");
            assertNotStarved("half-open handshakes");
            Await.until(
                    () -> sessions.stream().allMatch(u -> server.findSession(u) == null),
                    Duration.ofSeconds(10),
                    "the handshake timeout closes the rest");
        } finally {
            halfOpen.forEach(RawClient::close);
        }
    }

    @Test
    void peersThatSendHalfAMessageAndStallHoldOnlyTheirOwnSockets() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 32; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port()), 5_000);
                stalled.add(s);
                if (i % 2 == 1) {
                    // the first bytes of a frame header, then nothing more
                    OutputStream out = s.getOutputStream();
                    out.write(new byte[] {0, 0, 0, 64, 1, 2});
                    out.flush();
                }
            }
            assertNotStarved("stalled half messages");
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    /** A session writing one 4 KiB IO after the other, recording errors and the longest wait between two answers. */
    private static final class GoodLoad {
        final AtomicLong ios = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        private final AtomicLong longestGapNanos = new AtomicLong();
        private final ClientSession session;
        private final Thread thread;
        private volatile boolean stop;

        GoodLoad(ClientSession session) {
            this.session = session;
            this.thread = new Thread(this::run, "good-session");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            long last = System.nanoTime();
            long deadline = last + TimeUnit.SECONDS.toNanos(90);
            while (!stop && System.nanoTime() < deadline) {
                try {
                    if (SyncIo.write(session) != 0) {
                        errors.incrementAndGet();
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
                long now = System.nanoTime();
                longestGapNanos.accumulateAndGet(now - last, Math::max);
                last = now;
                ios.incrementAndGet();
            }
        }

        long longestGapMs() {
            return longestGapNanos.get() / 1_000_000;
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.join(30_000);
        }

        @Override
        public String toString() {
            return ios.get() + " IOs, " + errors.get() + " errors, longest gap " + longestGapMs() + " ms";
        }
    }

    /** One synchronous 4 KiB WRITE. */
    private static final class SyncIo {
        private static final ByteBuffer DATA = ByteBuffer.allocateDirect(4096);

        static int write(ClientSession session) throws Exception {
            Permit permit = session.acquirePermit();
            try {
                CompletableFuture<Integer> done = new CompletableFuture<>();
                session.submit(
                        permit,
                        Direction.WRITE,
                        ByteBuffer.allocate(8),
                        new ByteBuffer[] {DATA.duplicate()},
                        done::complete);
                return done.get(20, TimeUnit.SECONDS);
            } finally {
                session.releasePermit(permit);
            }
        }
    }
}
