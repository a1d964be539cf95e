package dev.rtrs.verbs.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.test.support.Await;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The tcp provider against a hand-driven peer: what only the wire shows (a peer that stops reading, half a
 * payload in flight, malformed frames, drained payloads).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RawPeerTest {

    private static final int ALL = Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ;
    private TcpVerbsProvider provider;

    @BeforeAll
    void start() {
        provider = new TcpVerbsProvider(TcpProviderOptions.builder()
                .ioThreads(2)
                .handshakeTimeoutMs(300)
                .disconnectTimeoutMs(500)
                .build());
    }

    @AfterAll
    void stop() {
        provider.close();
    }

    private static WorkCompletion awaitCompletion(CompletionQueue cq) throws Exception {
        WorkCompletion[] one = {new WorkCompletion()};
        return Await.value(() -> cq.poll(one) == 0 ? null : one[0], Duration.ofSeconds(10), "no completion");
    }

    private static void assertNoCompletion(CompletionQueue cq, long millis) throws Exception {
        WorkCompletion[] one = {new WorkCompletion()};
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - end < 0) {
            assertEquals(0, cq.poll(one), () -> "unexpected " + one[0]);
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static void awaitBytes(MemoryRegion mr, int offset, byte[] expected) {
        byte[] now = new byte[expected.length];
        Await.until(
                () -> {
                    mr.buffer().position(offset).get(now);
                    return Arrays.equals(expected, now);
                },
                Duration.ofSeconds(10),
                "bytes never arrived");
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aSendToAPeerThatStopsReadingNeverCompletesUntilThePeerIsGone() throws Exception {
        try (Server server = new Server(provider, 0);
                RawPeer peer = RawPeer.connect(server.address())) {
            Server.Accepted a = server.next();
            a.event(CmEventType.ESTABLISHED);
            MemoryRegion src = server.pd.register(ByteBuffer.allocateDirect(64), 0);
            a.qp.postSend(new SendWorkRequest().reset(1, SendOpcode.SEND).addSge(src, 0, 64));
            assertNoCompletion(a.cq, 300);
            peer.reset();
            WorkCompletion wc = awaitCompletion(a.cq);
            assertEquals(WcStatus.RETRY_EXCEEDED_ERROR, wc.status());
            CmEvent e = a.event(CmEventType.DISCONNECTED);
            assertEquals(Errno.ECONNRESET, e.status());
            src.close();
        }
    }

    @Test
    void aMalformedFrameClosesOnlyItsConnection() throws Exception {
        try (Server server = new Server(provider, 4);
                RawPeer bad = RawPeer.connect(server.address());
                RawPeer good = RawPeer.connect(server.address())) {
            Server.Accepted badSide = server.next();
            Server.Accepted goodSide = server.next();
            badSide.event(CmEventType.ESTABLISHED);
            goodSide.event(CmEventType.ESTABLISHED);
            byte[] garbage = new byte[FrameCodec.HEADER_SIZE];
            Arrays.fill(garbage, (byte) 0x42);
            bad.raw(garbage);
            CmEvent e = badSide.event(CmEventType.DISCONNECTED);
            assertEquals(Errno.EPROTO, e.status());
            assertTrue(bad.closedByPeer());
            assertEquals(QpState.ERROR, badSide.qp.state());

            byte[] hello = "still here".getBytes();
            good.send(good.psn, good.peerPsn - 1, hello);
            WorkCompletion wc = awaitCompletion(goodSide.cq);
            assertEquals(WcStatus.SUCCESS, wc.status());
            assertEquals(hello.length, wc.byteLength());
            FrameHeader ack = good.await(FrameType.ACK);
            assertEquals(good.psn, ack.ack);
            assertEquals(QpState.READY_TO_SEND, goodSide.qp.state());
        }
    }

    @Test
    void aRequestOutOfSequenceIsAProtocolError() throws Exception {
        try (Server server = new Server(provider, 4);
                RawPeer peer = RawPeer.connect(server.address())) {
            Server.Accepted a = server.next();
            a.event(CmEventType.ESTABLISHED);
            peer.send(peer.psn + 5, peer.peerPsn - 1, new byte[0]);
            assertEquals(Errno.EPROTO, a.event(CmEventType.DISCONNECTED).status());
            assertTrue(peer.closedByPeer());
        }
    }

    @Test
    void anAcknowledgementOfNothingSentIsAProtocolError() throws Exception {
        try (Server server = new Server(provider, 4);
                RawPeer peer = RawPeer.connect(server.address())) {
            Server.Accepted a = server.next();
            a.event(CmEventType.ESTABLISHED);
            peer.ack(peer.peerPsn + 10);
            assertEquals(Errno.EPROTO, a.event(CmEventType.DISCONNECTED).status());
        }
    }

    @Test
    void localInvalidateCompletesOnlyAfterTheWriteBeingPlacedFinished() throws Exception {
        try (Server server = new Server(provider, 0);
                RawPeer peer = RawPeer.connect(server.address())) {
            Server.Accepted a = server.next();
            a.event(CmEventType.ESTABLISHED);
            MemoryRegion target = server.pd.register(ByteBuffer.allocateDirect(64 * 1024), ALL);
            byte[] data = random(64 * 1024, 1);
            peer.write(
                    peer.psn,
                    peer.peerPsn - 1,
                    data.length,
                    target.rkey(),
                    target.address(),
                    Arrays.copyOf(data, 32 * 1024));
            awaitBytes(target, 0, Arrays.copyOf(data, 32 * 1024));

            a.qp.postSend(new SendWorkRequest().reset(9, SendOpcode.LOCAL_INV).invalidate(target.rkey()));
            assertNoCompletion(a.cq, 200);
            assertFalse(target.isRemotelyAccessible(), "no new access may start");

            peer.raw(Arrays.copyOfRange(data, 32 * 1024, data.length));
            WorkCompletion wc = awaitCompletion(a.cq);
            assertEquals(WcStatus.SUCCESS, wc.status());
            assertEquals(WcOpcode.LOCAL_INV, wc.opcode());
            byte[] now = new byte[data.length];
            target.buffer().get(now);
            assertArrayEquals(data, now, "the write in flight was completed before the fence");
            assertEquals(peer.psn, peer.await(FrameType.ACK).ack);

            peer.write(peer.psn + 1, peer.peerPsn - 1, 8, target.rkey(), target.address(), new byte[8]);
            FrameHeader nak = peer.await(FrameType.NAK);
            assertEquals(NakCode.REMOTE_ACCESS, nak.nakCode());
            assertEquals(peer.psn + 1, nak.psn);
            target.close();
        }
    }

    @Test
    void closingARegionAbandonsTheWriteBeingPlaced() throws Exception {
        try (Server server = new Server(provider, 0);
                RawPeer peer = RawPeer.connect(server.address())) {
            Server.Accepted a = server.next();
            a.event(CmEventType.ESTABLISHED);
            MemoryRegion target = server.pd.register(ByteBuffer.allocateDirect(64 * 1024), ALL);
            byte[] data = random(64 * 1024, 2);
            peer.write(
                    peer.psn,
                    peer.peerPsn - 1,
                    data.length,
                    target.rkey(),
                    target.address(),
                    Arrays.copyOf(data, 16 * 1024));
            awaitBytes(target, 0, Arrays.copyOf(data, 16 * 1024));
            target.close();
            peer.raw(Arrays.copyOfRange(data, 16 * 1024, data.length));
            FrameHeader nak = peer.await(FrameType.NAK);
            assertEquals(NakCode.REMOTE_ACCESS, nak.nakCode());
            byte[] rest = new byte[data.length - 16 * 1024];
            target.buffer().position(16 * 1024).get(rest);
            assertArrayEquals(new byte[rest.length], rest, "nothing placed after close returned");
            awaitState(a.qp, QpState.ERROR);
        }
    }

    private static void awaitState(QueuePair qp, QpState state) {
        Await.until(() -> qp.state() == state, Duration.ofSeconds(10), () -> "state " + qp.state());
    }

    @Test
    void aRefusedWriteIsDrainedAndTheStreamStaysInStep() throws Exception {
        try (Server server = new Server(provider, 2);
                RawPeer peer = RawPeer.connect(server.address())) {
            Server.Accepted a = server.next();
            a.event(CmEventType.ESTABLISHED);
            MemoryRegion target = server.pd.register(ByteBuffer.allocateDirect(4096), Access.LOCAL_WRITE);
            byte[] big = random(1 << 20, 3);
            peer.write(peer.psn, peer.peerPsn - 1, big.length, target.rkey(), target.address(), big);
            peer.disconnect();
            FrameHeader nak = peer.await(FrameType.NAK);
            assertEquals(NakCode.REMOTE_ACCESS, nak.nakCode());
            assertEquals(peer.psn, nak.psn);
            assertEquals(
                    0, a.event(CmEventType.DISCONNECTED).status(), "the DISCONNECT after the drained payload was read");
            byte[] now = new byte[4096];
            target.buffer().get(now);
            assertArrayEquals(new byte[4096], now);
            WorkCompletion flushed = awaitCompletion(a.cq);
            assertEquals(WcStatus.WR_FLUSH_ERROR, flushed.status());
            target.close();
        }
    }

    @Test
    void aSocketThatNeverSendsItsRequestIsDropped() throws Exception {
        try (Server server = new Server(provider, 0);
                Socket s = new Socket(
                        server.address().getAddress(), server.address().getPort())) {
            s.setSoTimeout(5000);
            int read;
            try {
                read = s.getInputStream().read();
            } catch (SocketException reset) {
                // the provider resets a socket it gives up on, so nothing it held is sent later
                read = -1;
            }
            assertEquals(-1, read, "closed after the handshake timeout");
            assertTrue(server.accepted.isEmpty());
        }
    }

    @Test
    void aDestinationThatNeverAnswersIsUnreachableAfterTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
            LinkedBlockingQueue<CmEvent> events = new LinkedBlockingQueue<>();
            CmId id = provider.createCmId(events::add);
            id.resolveAddress(null, new InetSocketAddress("127.0.0.1", silent.getLocalPort()), 1000);
            assertEquals(
                    CmEventType.ADDR_RESOLVED, events.poll(10, TimeUnit.SECONDS).type());
            id.resolveRoute(1000);
            assertEquals(
                    CmEventType.ROUTE_RESOLVED,
                    events.poll(10, TimeUnit.SECONDS).type());
            CompletionQueue cq = id.device().createCompletionQueue(4, null);
            var pd = id.device().allocateProtectionDomain();
            QueuePair qp = id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 4, 4, 1, 1));
            id.connect(new byte[0], 300);
            CmEvent e = events.poll(10, TimeUnit.SECONDS);
            assertEquals(CmEventType.UNREACHABLE, e.type());
            assertEquals(Errno.ETIMEDOUT, e.status());
            qp.close();
            id.close();
            cq.close();
            pd.close();
        }
    }
}
