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
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What only the tcp provider shows of the ACK timeout and its fault hook: two providers as two hosts (one silenced,
 * the other not), the provider's defaults against explicit attributes, a raw peer that never acknowledges, connects
 * over a silenced link, and the keepalive options of the sockets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AckTimeoutTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** A client queue pair connected to {@code server}. */
    private static final class Client {
        final LinkedBlockingQueue<CmEvent> events = new LinkedBlockingQueue<>();
        final CmId id;
        final ProtectionDomain pd;
        final CompletionQueue cq;
        final QueuePair qp;
        final MemoryRegion src;

        /** {@code ackTimeout} and {@code retryCount} may be {@link QueuePairAttributes#PROVIDER_DEFAULT}. */
        Client(TcpVerbsProvider provider, InetSocketAddress server, int ackTimeout, int retryCount) throws Exception {
            id = provider.createCmId(events::add);
            id.resolveAddress(null, server, 1000);
            expect(CmEventType.ADDR_RESOLVED);
            id.resolveRoute(1000);
            expect(CmEventType.ROUTE_RESOLVED);
            pd = id.device().allocateProtectionDomain();
            cq = id.device().createCompletionQueue(64, null);
            qp = id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 16, 16, 1, 1, ackTimeout, retryCount));
            src = pd.register(ByteBuffer.allocateDirect(4096), Access.LOCAL_WRITE);
            id.connect(new byte[0], 5000);
            expect(CmEventType.ESTABLISHED);
        }

        CmEvent expect(CmEventType type) throws InterruptedException {
            for (; ; ) {
                CmEvent e = events.poll(10, TimeUnit.SECONDS);
                if (e == null) {
                    throw new AssertionError("no " + type);
                }
                if (e.type() == type) {
                    return e;
                }
            }
        }

        void write(long wrId, MemoryRegion dst, int length) throws Exception {
            qp.postSend(new SendWorkRequest()
                    .reset(wrId, SendOpcode.RDMA_WRITE)
                    .addSge(src, 0, length)
                    .remote(dst.address(), dst.rkey()));
        }
    }

    private static TcpProviderOptions.Builder options() {
        return TcpProviderOptions.builder().ioThreads(1).eventThreads(1);
    }

    private static Duration expiry(int exponent, int retries) {
        return Duration.ofNanos(QueuePairAttributes.ackTimeoutNanos(exponent) * (retries + 1));
    }

    private static WorkCompletion awaitCompletion(CompletionQueue cq, Duration within) throws Exception {
        WorkCompletion[] one = {new WorkCompletion()};
        return Await.value(() -> cq.poll(one) == 0 ? null : one[0], within, "no completion within " + within);
    }

    private static void assertNoCompletion(CompletionQueue cq, Duration period) throws Exception {
        WorkCompletion[] one = {new WorkCompletion()};
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() - end < 0) {
            assertEquals(0, cq.poll(one), () -> "unexpected " + one[0]);
            LockSupport.parkNanos(1_000_000);
        }
    }

    private static void assertWithin(Duration expected, long startNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        assertTrue(
                took.compareTo(expected.multipliedBy(4).dividedBy(5)) >= 0,
                "after " + took + ", " + expected + " expected");
        assertTrue(
                took.compareTo(expected.multipliedBy(3).plusSeconds(1)) <= 0,
                "after " + took + ", " + expected + " expected");
    }

    @Test
    void aSilencedHostFailsItsRequestsAndItsPeerSeesTheConnectionGo() throws Exception {
        // the provider's defaults: 2^15 x 4.096 us = 134 ms, 3 of them: 403 ms
        int exponent = 15;
        int retries = 2;
        try (TcpVerbsProvider serverHost = new TcpVerbsProvider(options().build());
                TcpVerbsProvider clientHost = new TcpVerbsProvider(
                        options().ackTimeout(exponent).retryCount(retries).build())) {
            Server server = new Server(serverHost, 0);
            Client client = new Client(
                    clientHost,
                    server.address(),
                    QueuePairAttributes.PROVIDER_DEFAULT,
                    QueuePairAttributes.PROVIDER_DEFAULT);
            assertEquals(exponent, client.qp.attributes().ackTimeout());
            assertEquals(retries, client.qp.attributes().retryCount());
            Server.Accepted accepted = server.next();
            accepted.event(CmEventType.ESTABLISHED);
            MemoryRegion dst =
                    server.pd.register(ByteBuffer.allocateDirect(4096), Access.LOCAL_WRITE | Access.REMOTE_WRITE);

            // only the client's host goes silent: the server's provider keeps reading and writing
            clientHost.silence(LOOPBACK);
            long start = System.nanoTime();
            client.write(1, dst, 512);
            client.write(2, dst, 512);
            WorkCompletion first = awaitCompletion(
                    client.cq, expiry(exponent, retries).multipliedBy(3).plusSeconds(1));
            assertWithin(expiry(exponent, retries), start);
            assertEquals(WcStatus.RETRY_EXCEEDED_ERROR, first.status());
            assertEquals(1, first.wrId());
            WorkCompletion second = awaitCompletion(client.cq, Duration.ofSeconds(5));
            assertEquals(WcStatus.WR_FLUSH_ERROR, second.status());
            assertEquals(2, second.wrId());
            assertEquals(QpState.ERROR, client.qp.state());
            assertEquals(
                    Errno.ETIMEDOUT, client.expect(CmEventType.DISCONNECTED).status());

            // the socket closed: the server's side fails without the link being restored
            accepted.event(CmEventType.DISCONNECTED);
            assertEquals(QpState.ERROR, accepted.qp.state());
            assertArrayEquals(new byte[4096], contents(dst), "the silenced writes never arrived");
        }
    }

    @Test
    void explicitAttributesWinOverTheProviderDefaults() throws Exception {
        // the provider's default waits forever; one queue pair asks for 2^13 x 4.096 us = 34 ms, 2 of them: 67 ms
        try (TcpVerbsProvider serverHost = new TcpVerbsProvider(options().build());
                TcpVerbsProvider clientHost =
                        new TcpVerbsProvider(options().ackTimeout(0).build())) {
            Server server = new Server(serverHost, 0);
            Client patient = new Client(
                    clientHost,
                    server.address(),
                    QueuePairAttributes.PROVIDER_DEFAULT,
                    QueuePairAttributes.PROVIDER_DEFAULT);
            Client hasty = new Client(clientHost, server.address(), 13, 1);
            assertEquals(0, patient.qp.attributes().ackTimeout());
            MemoryRegion dst =
                    server.pd.register(ByteBuffer.allocateDirect(4096), Access.LOCAL_WRITE | Access.REMOTE_WRITE);
            patient.src.buffer().put(0, (byte) 42);

            clientHost.silence(LOOPBACK);
            long start = System.nanoTime();
            patient.write(1, dst, 1);
            hasty.write(2, dst, 1);
            WorkCompletion wc =
                    awaitCompletion(hasty.cq, expiry(13, 1).multipliedBy(3).plusSeconds(1));
            assertWithin(expiry(13, 1), start);
            assertEquals(WcStatus.RETRY_EXCEEDED_ERROR, wc.status());
            assertNoCompletion(patient.cq, Duration.ofSeconds(1));
            assertEquals(QpState.READY_TO_SEND, patient.qp.state());

            clientHost.restore(LOOPBACK);
            wc = awaitCompletion(patient.cq, Duration.ofSeconds(10));
            assertEquals(WcStatus.SUCCESS, wc.status());
            assertEquals(42, dst.buffer().get(0));
        }
    }

    @Test
    void aPeerThatNeverAcknowledgesFailsTheRequestWithoutAnyHook() throws Exception {
        // 2^14 x 4.096 us = 67 ms, 2 of them: 134 ms
        try (TcpVerbsProvider provider = new TcpVerbsProvider(
                        options().ackTimeout(14).retryCount(1).build());
                Server server = new Server(provider, 0);
                RawPeer peer = RawPeer.connect(server.address())) {
            Server.Accepted a = server.next();
            a.event(CmEventType.ESTABLISHED);
            MemoryRegion src = server.pd.register(ByteBuffer.allocateDirect(64), 0);
            long start = System.nanoTime();
            // the peer's kernel takes the frame; the peer never reads it, so it never acknowledges it
            a.qp.postSend(new SendWorkRequest().reset(1, SendOpcode.SEND).addSge(src, 0, 64));
            WorkCompletion wc =
                    awaitCompletion(a.cq, expiry(14, 1).multipliedBy(3).plusSeconds(1));
            assertWithin(expiry(14, 1), start);
            assertEquals(WcStatus.RETRY_EXCEEDED_ERROR, wc.status());
            assertEquals(Errno.ETIMEDOUT, a.event(CmEventType.DISCONNECTED).status());
            assertTrue(peer.closedByPeer(), "the provider closed the socket");
        }
    }

    @Test
    void silencingALinkMidStreamAndRestoringItLosesNothing() throws Exception {
        int writes = 16;
        int size = 1 << 20;
        // small socket buffers: the 16 MiB take many system calls, and silence stops them between two
        try (TcpVerbsProvider provider = new TcpVerbsProvider(
                        options().ioThreads(2).socketBufferBytes(32 * 1024).build());
                Server server = new Server(provider, 0)) {
            Client client = new Client(
                    provider,
                    server.address(),
                    QueuePairAttributes.PROVIDER_DEFAULT,
                    QueuePairAttributes.PROVIDER_DEFAULT);
            server.next().event(CmEventType.ESTABLISHED);
            MemoryRegion src = client.pd.register(ByteBuffer.allocateDirect(writes * size), Access.LOCAL_WRITE);
            MemoryRegion dst = server.pd.register(
                    ByteBuffer.allocateDirect(writes * size), Access.LOCAL_WRITE | Access.REMOTE_WRITE);
            byte[] data = new byte[writes * size];
            new Random(5).nextBytes(data);
            src.buffer().duplicate().put(data);

            for (int i = 0; i < writes; i++) {
                client.qp.postSend(new SendWorkRequest()
                        .reset(i, SendOpcode.RDMA_WRITE)
                        .addSge(src, i * size, size)
                        .remote(dst.address() + (long) i * size, dst.rkey()));
            }
            provider.silence(LOOPBACK);
            int done = 0;
            WorkCompletion[] one = {new WorkCompletion()};
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() - end < 0) {
                if (client.cq.poll(one) > 0) {
                    assertEquals(WcStatus.SUCCESS, one[0].status());
                    assertEquals(done++, one[0].wrId());
                }
                LockSupport.parkNanos(1_000_000);
            }
            assertTrue(done < writes, "the silence stopped the stream");
            assertEquals(QpState.READY_TO_SEND, client.qp.state());

            provider.restore(LOOPBACK);
            for (; done < writes; done++) {
                WorkCompletion wc = awaitCompletion(client.cq, Duration.ofSeconds(10));
                assertEquals(WcStatus.SUCCESS, wc.status());
                assertEquals(done, wc.wrId());
            }
            assertArrayEquals(data, contents(dst));
        }
    }

    @Test
    void connectsOverASilencedLinkTimeOutAndWorkOnceItIsRestored() throws Exception {
        try (TcpVerbsProvider provider =
                        new TcpVerbsProvider(options().ioThreads(2).build());
                Server server = new Server(provider, 0)) {
            provider.silence(LOOPBACK);
            LinkedBlockingQueue<CmEvent> events = new LinkedBlockingQueue<>();
            CmId id = provider.createCmId(events::add);
            id.resolveAddress(null, server.address(), 1000);
            assertEquals(
                    CmEventType.ADDR_RESOLVED, events.poll(10, TimeUnit.SECONDS).type());
            id.resolveRoute(1000);
            assertEquals(
                    CmEventType.ROUTE_RESOLVED,
                    events.poll(10, TimeUnit.SECONDS).type());
            CompletionQueue cq = id.device().createCompletionQueue(4, null);
            ProtectionDomain pd = id.device().allocateProtectionDomain();
            id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 4, 4, 1, 1));
            id.connect(new byte[0], 300);
            CmEvent e = events.poll(10, TimeUnit.SECONDS);
            assertEquals(CmEventType.UNREACHABLE, e.type());
            assertEquals(Errno.ETIMEDOUT, e.status());
            assertTrue(server.accepted.isEmpty(), "the listener never heard the request");

            provider.restore(LOOPBACK);
            Client client = new Client(
                    provider,
                    server.address(),
                    QueuePairAttributes.PROVIDER_DEFAULT,
                    QueuePairAttributes.PROVIDER_DEFAULT);
            assertEquals(QpState.READY_TO_SEND, client.qp.state());
            server.next().event(CmEventType.ESTABLISHED);
        }
    }

    @Test
    void socketsCarryTheConfiguredKeepalive() throws Exception {
        try (SocketChannel probe = SocketChannel.open()) {
            Assumptions.assumeTrue(
                    probe.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE),
                    "no TCP keepalive timing options on this platform");
        }
        try (TcpVerbsProvider provider = new TcpVerbsProvider(options()
                        .keepAliveIdleSeconds(7)
                        .keepAliveIntervalSeconds(3)
                        .keepAliveCount(4)
                        .build());
                Server server = new Server(provider, 0)) {
            Client client = new Client(
                    provider,
                    server.address(),
                    QueuePairAttributes.PROVIDER_DEFAULT,
                    QueuePairAttributes.PROVIDER_DEFAULT);
            Server.Accepted accepted = server.next();
            accepted.event(CmEventType.ESTABLISHED);
            for (CmId id : new CmId[] {client.id, accepted.id}) {
                QueuePairSocket s = ((TcpCmId) id).socket();
                assertTrue(s.socketOption(StandardSocketOptions.SO_KEEPALIVE), "SO_KEEPALIVE");
                assertEquals(7, s.socketOption(ExtendedSocketOptions.TCP_KEEPIDLE));
                assertEquals(3, s.socketOption(ExtendedSocketOptions.TCP_KEEPINTERVAL));
                assertEquals(4, s.socketOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
            }
        }
        try (TcpVerbsProvider provider =
                        new TcpVerbsProvider(options().keepAliveIdleSeconds(0).build());
                Server server = new Server(provider, 0)) {
            Client client = new Client(
                    provider,
                    server.address(),
                    QueuePairAttributes.PROVIDER_DEFAULT,
                    QueuePairAttributes.PROVIDER_DEFAULT);
            assertFalse(((TcpCmId) client.id).socket().socketOption(StandardSocketOptions.SO_KEEPALIVE));
        }
    }

    private static byte[] contents(MemoryRegion mr) {
        byte[] b = new byte[mr.buffer().capacity()];
        mr.buffer().duplicate().clear().get(b);
        return b;
    }
}
