package dev.rtrs.verbs.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The ACK timeout and retry count of a queue pair (ibverbs' {@code timeout} and {@code retry_cnt}): a peer that
 * stops answering fails the oldest outstanding request with RETRY_EXCEEDED_ERROR after (retryCount + 1) ACK
 * timeouts and flushes the rest; a peer that answers never does, however long the load. Needs
 * {@link Capability#ACK_TIMEOUT}; the silent-link tests also need {@link #silenceLink}.
 */
public abstract class AckTimeoutConformanceTest extends VerbsConformanceSupport {

    private static final int ALL = Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ;

    /** How long a silent peer takes to fail requests: (retries + 1) ACK timeouts. */
    private static Duration expiry(int exponent, int retries) {
        return Duration.ofNanos(QueuePairAttributes.ackTimeoutNanos(exponent) * (retries + 1));
    }

    /** Silences the link of the test's address until {@link #restore} or the end of the test. */
    private InetAddress silence() throws Exception {
        InetAddress at = address();
        silenceLink(at);
        closeLater(() -> restoreLink(at));
        return at;
    }

    @Test
    void aSilentPeerFailsTheOldestRequestWithRetryExceededAndFlushesTheRest() throws Exception {
        assumeCapability(Capability.ACK_TIMEOUT);
        // 2^15 x 4.096 us = 134 ms, 4 of them: 537 ms
        int exponent = 15;
        int retries = 3;
        Duration expiry = expiry(exponent, retries);
        Link link = connect(spec().receives(0, 0).ackTimeout(exponent, retries));
        assertEquals(exponent, link.client.qp.attributes().ackTimeout());
        MemoryRegion src = register(link.client, 4096, Access.LOCAL_WRITE);
        MemoryRegion dst = register(link.server, 4096, ALL);
        InetAddress at = silence();

        long start = System.nanoTime();
        link.client.qp.postSend(write(1, src, 1024, dst.address(), dst.rkey()));
        link.client.qp.postSend(write(2, src, 1024, dst.address() + 1024, dst.rkey()));
        WorkCompletion first = awaitCompletions(
                        link.client.cq, 1, expiry.multipliedBy(3).plusSeconds(1))
                .get(0);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertStatus(WcStatus.RETRY_EXCEEDED_ERROR, first);
        assertEquals(1, first.wrId());
        assertEquals(WcOpcode.RDMA_WRITE, first.opcode());
        assertTrue(
                took.compareTo(expiry.multipliedBy(4).dividedBy(5)) >= 0,
                "failed after " + took + ", before the ACK timeouts of " + expiry + " had passed");

        WorkCompletion second = awaitCompletion(link.client.cq);
        assertStatus(WcStatus.WR_FLUSH_ERROR, second);
        assertEquals(2, second.wrId());
        assertEquals(QpState.ERROR, link.client.qp.state());
        link.client.qp.postSend(write(3, src, 8, dst.address(), dst.rkey()));
        WorkCompletion later = awaitCompletion(link.client.cq);
        assertStatus(WcStatus.WR_FLUSH_ERROR, later);
        assertEquals(3, later.wrId());
        link.client.events.awaitType(CmEventType.DISCONNECTED, timeout());

        // the peer hears of it as soon as the link carries anything again
        restoreLink(at);
        link.server.events.awaitType(CmEventType.DISCONNECTED, timeout());
        awaitState(link.server.qp, QpState.ERROR);
    }

    @Test
    void aLinkRestoredBeforeTheTimeoutLosesNothing() throws Exception {
        assumeCapability(Capability.ACK_TIMEOUT);
        // 2^16 x 4.096 us = 268 ms, 4 of them: 1.07 s; the link is silent for a third of that
        int exponent = 16;
        int retries = 3;
        Duration expiry = expiry(exponent, retries);
        int size = 64 * 1024;
        int writes = 8;
        Link link = connect(spec().receives(0, 1).ackTimeout(exponent, retries));
        MemoryRegion src = register(link.client, writes * size, Access.LOCAL_WRITE);
        MemoryRegion dst = register(link.server, writes * size, ALL);
        byte[] data = randomBytes(writes * size, 17);
        fill(src, data);
        InetAddress at = silence();

        for (int i = 0; i < writes; i++) {
            link.client.qp.postSend(new SendWorkRequest(1)
                    .reset(i, SendOpcode.RDMA_WRITE)
                    .addSge(src, i * size, size)
                    .remote(dst.address() + (long) i * size, dst.rkey()));
        }
        link.client.qp.postSend(send(writes, src, 0, 64));
        assertNoCompletion(link.client.cq, expiry.dividedBy(3));
        assertNoCompletion(link.server.cq, Duration.ofMillis(10));
        restoreLink(at);

        List<WorkCompletion> done = awaitCompletions(link.client.cq, writes + 1);
        for (int i = 0; i <= writes; i++) {
            assertStatus(WcStatus.SUCCESS, done.get(i));
            assertEquals(i, done.get(i).wrId());
        }
        WorkCompletion received = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.SUCCESS, received);
        assertEquals(64, received.byteLength());
        // the SEND came after the WRITEs: their data is all there when it is received
        assertArrayEquals(data, contents(dst, 0, writes * size));
        assertEquals(QpState.READY_TO_SEND, link.client.qp.state());
        assertEquals(QpState.READY_TO_SEND, link.server.qp.state());
    }

    @Test
    void anAckTimeoutOfZeroWaitsForever() throws Exception {
        assumeCapability(Capability.ACK_TIMEOUT);
        Link link = connect(spec().receives(0, 0).ackTimeout(0, 0));
        MemoryRegion src = register(link.client, 256, Access.LOCAL_WRITE);
        MemoryRegion dst = register(link.server, 256, ALL);
        byte[] data = randomBytes(256, 23);
        fill(src, data);
        InetAddress at = silence();

        link.client.qp.postSend(write(1, src, 256, dst.address(), dst.rkey()));
        assertNoCompletion(link.client.cq, Duration.ofSeconds(2));
        assertEquals(QpState.READY_TO_SEND, link.client.qp.state());
        restoreLink(at);
        WorkCompletion wc = awaitCompletion(link.client.cq);
        assertStatus(WcStatus.SUCCESS, wc);
        assertArrayEquals(data, contents(dst, 0, 256));
    }

    @Test
    void acknowledgementsKeepABusyQueuePairAlive() throws Exception {
        assumeCapability(Capability.ACK_TIMEOUT);
        // 2^14 x 4.096 us = 67 ms, 3 of them: 201 ms without an acknowledgement would fail the queue pair
        int total = 20_000;
        int size = 32 * 1024;
        int depth = 64;
        Link link = connect(spec().receives(0, 0).sendQueue(depth).ackTimeout(14, 2));
        MemoryRegion src = register(link.client, depth * size, Access.LOCAL_WRITE);
        MemoryRegion dst = register(link.server, depth * size, ALL);
        fill(src, randomBytes(depth * size, 29));
        SendWorkRequest[] wrs = new SendWorkRequest[depth];
        for (int i = 0; i < depth; i++) {
            wrs[i] = new SendWorkRequest(1);
        }
        WorkCompletion[] batch = new WorkCompletion[depth];
        for (int i = 0; i < depth; i++) {
            batch[i] = new WorkCompletion();
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        int posted = 0;
        int completed = 0;
        while (completed < total) {
            assertTrue(System.nanoTime() - deadline < 0, "only " + completed + " of " + total + " writes in 40 s");
            int n = Math.min(depth - (posted - completed), total - posted);
            for (int i = 0; i < n; i++) {
                int slot = (posted + i) % depth;
                wrs[i].reset(posted + i, SendOpcode.RDMA_WRITE)
                        .addSge(src, slot * size, size)
                        .remote(dst.address() + (long) slot * size, dst.rkey());
            }
            if (n > 0) {
                posted += link.client.qp.postSend(wrs, n);
            }
            int got = link.client.cq.poll(batch);
            for (int i = 0; i < got; i++) {
                assertStatus(WcStatus.SUCCESS, batch[i]);
                assertEquals(completed + i, batch[i].wrId());
            }
            completed += got;
            if (got == 0) {
                // not a spin: the provider's threads need the cores to acknowledge
                LockSupport.parkNanos(20_000);
            }
        }
        assertEquals(QpState.READY_TO_SEND, link.client.qp.state());
        assertEquals(QpState.READY_TO_SEND, link.server.qp.state());
        assertNull(link.client.events.poll(), "no connection-manager event");
    }
}
