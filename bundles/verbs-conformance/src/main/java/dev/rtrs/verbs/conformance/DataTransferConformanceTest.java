package dev.rtrs.verbs.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** SEND, RDMA WRITE (with immediate data) and RDMA READ: integrity, ordering, completions, notification. */
public abstract class DataTransferConformanceTest extends VerbsConformanceSupport {

    private static final int MIB = 1 << 20;

    static List<Arguments> sizesAndOperations() {
        int[] sizes = {1, 7, 4096, 65_537, MIB + 3, 4 * MIB};
        String[] ops = {"SEND", "RDMA_WRITE", "RDMA_WRITE_WITH_IMM", "RDMA_READ"};
        List<Arguments> out = new ArrayList<>();
        for (String op : ops) {
            for (int size : sizes) {
                out.add(Arguments.of(op, size));
            }
        }
        return out;
    }

    /** Splits {@code size} into up to three uneven, non-empty parts (fewer for tiny sizes). */
    private static int[] split(int size, int shift) {
        if (size < 2) {
            return new int[] {size};
        }
        if (size < 12) {
            return new int[] {size / 2, size - size / 2};
        }
        int a = size / 3 + shift;
        int b = size / 4;
        return new int[] {a, b, size - a - b};
    }

    @ParameterizedTest(name = "{0} of {1} bytes")
    @MethodSource("sizesAndOperations")
    void payloadsArriveIntactAcrossScatterGatherEntries(String operation, int size) throws Exception {
        Link link = connect(spec().receives(0, 0));
        byte[] data = randomBytes(size, size * 31L + operation.hashCode());
        int gap = 64;
        MemoryRegion local = register(link.client, size + 3 * gap, Access.LOCAL_WRITE);
        MemoryRegion remote =
                register(link.server, size + 3 * gap, Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ);
        SendOpcode op = SendOpcode.valueOf(operation);
        MemoryRegion source = op == SendOpcode.RDMA_READ ? remote : local;
        MemoryRegion target = op == SendOpcode.RDMA_READ ? local : remote;

        // the source's bytes are spread over its parts, gap bytes apart
        int[] sourceParts = op == SendOpcode.RDMA_READ ? new int[] {size} : split(size, 1);
        int[] targetParts = op == SendOpcode.SEND || op == SendOpcode.RDMA_READ ? split(size, 5) : new int[] {size};
        int[] sourceOffsets = place(source, data, sourceParts, gap);
        int[] targetOffsets = offsets(targetParts, gap);

        if (op == SendOpcode.SEND || op == SendOpcode.RDMA_WRITE_WITH_IMM) {
            ReceiveWorkRequest rr = new ReceiveWorkRequest(4).reset(77);
            if (op == SendOpcode.SEND) {
                for (int i = 0; i < targetParts.length; i++) {
                    rr.addSge(remote, targetOffsets[i], targetParts[i]);
                }
            }
            link.server.qp.postReceive(rr);
        }
        SendWorkRequest wr = new SendWorkRequest(4).reset(5, op).immediate(0x5a5a0001);
        if (op == SendOpcode.RDMA_READ) {
            for (int i = 0; i < targetParts.length; i++) {
                wr.addSge(local, targetOffsets[i], targetParts[i]);
            }
            wr.remote(remote.address() + sourceOffsets[0], remote.rkey());
        } else {
            for (int i = 0; i < sourceParts.length; i++) {
                wr.addSge(local, sourceOffsets[i], sourceParts[i]);
            }
            wr.remote(remote.address(), remote.rkey());
        }
        link.client.qp.postSend(wr);
        WorkCompletion sent = awaitCompletion(link.client.cq);
        assertStatus(WcStatus.SUCCESS, sent);
        assertEquals(5, sent.wrId());
        if (op == SendOpcode.SEND || op == SendOpcode.RDMA_WRITE_WITH_IMM) {
            WorkCompletion got = awaitCompletion(link.server.cq);
            assertStatus(WcStatus.SUCCESS, got);
            assertEquals(size, got.byteLength());
            assertEquals(op == SendOpcode.SEND ? WcOpcode.RECV : WcOpcode.RECV_RDMA_WITH_IMM, got.opcode());
        }
        assertArrayEquals(data, gather(target, targetParts, targetOffsets), "bytes at the target");
    }

    private static int[] offsets(int[] parts, int gap) {
        int[] offsets = new int[parts.length];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = at;
            at += parts[i] + gap;
        }
        return offsets;
    }

    private static int[] place(MemoryRegion mr, byte[] data, int[] parts, int gap) {
        int[] offsets = offsets(parts, gap);
        ByteBuffer b = mr.buffer();
        int from = 0;
        for (int i = 0; i < parts.length; i++) {
            b.position(offsets[i]);
            b.put(data, from, parts[i]);
            from += parts[i];
        }
        return offsets;
    }

    private static byte[] gather(MemoryRegion mr, int[] parts, int[] offsets) {
        int total = 0;
        for (int p : parts) {
            total += p;
        }
        byte[] out = new byte[total];
        ByteBuffer b = mr.buffer();
        int to = 0;
        for (int i = 0; i < parts.length; i++) {
            b.position(offsets[i]);
            b.get(out, to, parts[i]);
            to += parts[i];
        }
        return out;
    }

    @Test
    void sendWithImmediateDataIsReceived() throws Exception {
        Link link = connect();
        MemoryRegion src = register(link.client, 100, 0);
        fill(src, randomBytes(100, 1));
        link.client.qp.postSend(send(9, src, 0, 100)
                .reset(9, SendOpcode.SEND_WITH_IMM)
                .addSge(src, 0, 100)
                .immediate(0xCAFE0001)
                .flags(SendWorkRequest.SIGNALED | SendWorkRequest.SOLICITED));
        WorkCompletion sent = awaitCompletion(link.client.cq);
        assertStatus(WcStatus.SUCCESS, sent);
        assertEquals(WcOpcode.SEND, sent.opcode());
        assertSame(link.client.qp, sent.queuePair());
        WorkCompletion got = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.SUCCESS, got);
        assertEquals(WcOpcode.RECV, got.opcode());
        assertEquals(100, got.byteLength());
        assertTrue(got.hasImmediate());
        assertEquals(0xCAFE0001, got.immediateData());
        assertFalse(got.hasInvalidate());
        assertSame(link.server.qp, got.queuePair());
        assertArrayEquals(randomBytes(100, 1), link.server.received((int) got.wrId(), 100));
    }

    @Test
    void writeWithImmediateConsumesAReceiveButNotItsBuffer() throws Exception {
        Link link = connect();
        byte[] receiveBefore = link.server.received(0, 64);
        MemoryRegion src = register(link.client, 3000, 0);
        MemoryRegion dst = register(link.server, 8192, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        fill(src, randomBytes(3000, 2));
        link.client.qp.postSend(write(3, src, 3000, dst.address() + 100, dst.rkey())
                .reset(3, SendOpcode.RDMA_WRITE_WITH_IMM)
                .addSge(src, 0, 3000)
                .remote(dst.address() + 100, dst.rkey())
                .immediate(77));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.client.cq));
        WorkCompletion got = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.SUCCESS, got);
        assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, got.opcode());
        assertEquals(3000, got.byteLength());
        assertEquals(77, got.immediateData());
        assertEquals(0, got.wrId(), "the first posted receive is consumed");
        assertArrayEquals(randomBytes(3000, 2), contents(dst, 100, 3000));
        assertArrayEquals(receiveBefore, link.server.received(0, 64), "the receive's buffer is not written");
    }

    @Test
    void zeroLengthWriteWithImmediateNeedsNoMemory() throws Exception {
        Link link = connect();
        link.client.qp.postSend(
                new SendWorkRequest().reset(4, SendOpcode.RDMA_WRITE_WITH_IMM).immediate(0x11));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.client.cq));
        WorkCompletion got = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.SUCCESS, got);
        assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, got.opcode());
        assertEquals(0, got.byteLength());
        assertEquals(0x11, got.immediateData());
    }

    @Test
    void rdmaReadReturnsRemoteMemory() throws Exception {
        Link link = connect();
        MemoryRegion remote = register(link.server, 5000, Access.LOCAL_WRITE | Access.REMOTE_READ);
        MemoryRegion local = register(link.client, 5000, Access.LOCAL_WRITE);
        fill(remote, randomBytes(5000, 3));
        link.client.qp.postSend(read(8, local, 4000, remote.address() + 1000, remote.rkey()));
        WorkCompletion wc = awaitCompletion(link.client.cq);
        assertStatus(WcStatus.SUCCESS, wc);
        assertEquals(WcOpcode.RDMA_READ, wc.opcode());
        byte[] expected = Arrays.copyOfRange(randomBytes(5000, 3), 1000, 5000);
        assertArrayEquals(expected, contents(local, 0, 4000));
        assertNoCompletion(link.server.cq, Duration.ofMillis(20));
    }

    @Test
    void manyMessagesArriveInOrder() throws Exception {
        int count = 3000;
        int window = 32;
        Link link = connect(
                spec().sendQueue(window).receives(0, 64).receiveQueue(64).receiveSize(64));
        MemoryRegion src = register(link.client, window * 8, 0);
        WorkCompletion[] polled = new WorkCompletion[16];
        for (int i = 0; i < polled.length; i++) {
            polled[i] = new WorkCompletion();
        }
        int posted = 0;
        int sent = 0;
        int received = 0;
        long deadline = System.nanoTime() + timeout().toNanos();
        while (received < count) {
            assertTrue(System.nanoTime() - deadline < 0, "only " + received + " of " + count + " messages arrived");
            while (posted < count && posted - sent < window) {
                int slot = posted % window;
                src.buffer().putInt(slot * 8, posted);
                link.client.qp.postSend(send(posted, src, slot * 8, 4));
                posted++;
            }
            int n = link.client.cq.poll(polled);
            for (int i = 0; i < n; i++) {
                assertStatus(WcStatus.SUCCESS, polled[i]);
                assertEquals(sent, polled[i].wrId(), "send completions in posting order");
                sent++;
            }
            n = link.server.cq.poll(polled);
            for (int i = 0; i < n; i++) {
                WorkCompletion wc = polled[i];
                assertStatus(WcStatus.SUCCESS, wc);
                int slot = (int) wc.wrId();
                int value = link.server.receiveRegion.buffer().getInt(slot * 64);
                assertEquals(received, value, "message number");
                received++;
                link.server.postReceive(slot);
            }
        }
    }

    @Test
    void aWriteIsVisibleWhenTheFollowingSendIsReceived() throws Exception {
        Link link = connect();
        int size = 2 * MIB;
        MemoryRegion src = register(link.client, size, 0);
        MemoryRegion dst = register(link.server, size, Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        byte[] data = randomBytes(size, 4);
        fill(src, data);
        SendWorkRequest w = write(1, src, size, dst.address(), dst.rkey()).flags(0);
        SendWorkRequest s = send(2, src, 0, 8);
        link.client.qp.postSend(new SendWorkRequest[] {w, s}, 2);
        WorkCompletion got = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.SUCCESS, got);
        assertArrayEquals(data, contents(dst, 0, size), "the WRITE before the SEND is in place");
        WorkCompletion done = awaitCompletion(link.client.cq);
        assertEquals(2, done.wrId(), "the unsignaled WRITE produced no completion");
    }

    @Test
    void aSendCompletesOnlyOnceTheReceiverHasTakenIt() throws Exception {
        assumeRetryingRequestsStayPending();
        Link link = connect(spec().receives(0, 0));
        MemoryRegion src = register(link.client, 32, 0);
        fill(src, randomBytes(32, 5));
        link.client.qp.postSend(send(6, src, 0, 32));
        assertNoCompletion(link.client.cq, rnrTimeout().dividedBy(4));
        link.server.postReceive(0);
        WorkCompletion sent = awaitCompletion(link.client.cq);
        assertStatus(WcStatus.SUCCESS, sent);
        WorkCompletion got = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.SUCCESS, got);
        assertArrayEquals(randomBytes(32, 5), link.server.received(0, 32));
    }

    @Test
    void aReceiverNotReadyLosesNothingAndKeepsTheOrder() throws Exception {
        assumeRetryingRequestsStayPending();
        int n = 40;
        int early = 10;
        Link link = connect(spec().receives(0, early).receiveQueue(64).receiveSize(64));
        MemoryRegion src = register(link.client, n * 4, 0);
        for (int i = 0; i < n; i++) {
            src.buffer().putInt(i * 4, i);
            link.client.qp.postSend(send(i, src, i * 4, 4));
        }
        List<WorkCompletion> first = awaitCompletions(link.server.cq, early);
        for (int i = early; i < n; i++) {
            link.server.postReceive(i);
        }
        List<WorkCompletion> rest = awaitCompletions(link.server.cq, n - early);
        for (int i = 0; i < n; i++) {
            WorkCompletion wc = i < early ? first.get(i) : rest.get(i - early);
            assertStatus(WcStatus.SUCCESS, wc);
            assertEquals(i, link.server.receiveRegion.buffer().getInt((int) wc.wrId() * 64), "message " + i);
        }
        List<WorkCompletion> sent = awaitCompletions(link.client.cq, n);
        for (int i = 0; i < n; i++) {
            assertStatus(WcStatus.SUCCESS, sent.get(i));
            assertEquals(i, sent.get(i).wrId());
        }
        assertNoCompletion(link.server.cq, Duration.ofMillis(50));
    }

    @Test
    void aBatchOfSendsIsPostedInOrder() throws Exception {
        Link link = connect();
        MemoryRegion src = register(link.client, 64, 0);
        SendWorkRequest[] batch = new SendWorkRequest[8];
        for (int i = 0; i < batch.length; i++) {
            src.buffer().put(i * 8, (byte) i);
            batch[i] = send(100 + i, src, i * 8, 1);
        }
        assertEquals(8, link.client.qp.postSend(batch, 8));
        List<WorkCompletion> sent = awaitCompletions(link.client.cq, 8);
        List<WorkCompletion> got = awaitCompletions(link.server.cq, 8);
        for (int i = 0; i < 8; i++) {
            assertEquals(100 + i, sent.get(i).wrId());
            assertEquals(i, got.get(i).wrId());
            assertEquals(i, link.server.received(i, 1)[0]);
        }
    }

    @Test
    void theListenerRunsAfterRequestNotifyOnAProviderThread() throws Exception {
        AtomicReference<Thread> listenerThread = new AtomicReference<>();
        CountDownLatch called = new CountDownLatch(1);
        CompletionQueue cq = closeLater(device().createCompletionQueue(64, q -> {
            listenerThread.set(Thread.currentThread());
            called.countDown();
        }));
        Link notified = connectWithCq(cq);
        cq.requestNotify();
        MemoryRegion src = register(notified.client, 8, 0);
        notified.client.qp.postSend(send(1, src, 0, 8));
        assertTrue(called.await(timeout().toMillis(), TimeUnit.MILLISECONDS), "listener called");
        assertNotSame(Thread.currentThread(), listenerThread.get());
        assertEquals(WcOpcode.RECV, awaitCompletions(cq, 1).get(0).opcode());
    }

    /** A link whose server queue pair completes into {@code cq} (created before the request arrives). */
    private Link connectWithCq(CompletionQueue cq) throws Exception {
        Events serverEvents = new Events();
        CompletableFuture<Side> server = new CompletableFuture<>();
        serverEvents.react(e -> {
            if (e.type() == CmEventType.CONNECT_REQUEST) {
                try {
                    ProtectionDomain pd = closeLater(e.id().device().allocateProtectionDomain());
                    QueuePair qp =
                            closeLater(e.id().createQueuePair(pd, new QueuePairAttributes(cq, cq, 64, 64, 1, 1)));
                    MemoryRegion rr = closeLater(pd.register(ByteBuffer.allocateDirect(64 * 64), Access.LOCAL_WRITE));
                    Side side = new Side(e.id(), serverEvents, pd, cq, qp, rr, 64);
                    for (int i = 0; i < 64; i++) {
                        side.postReceive(i);
                    }
                    server.complete(side);
                    e.id().accept(new byte[0]);
                } catch (Exception x) {
                    server.completeExceptionally(x);
                }
            }
        });
        CmId listener = listen(serverEvents, address());
        Events clientEvents = new Events();
        CmId id = closeLater(provider.createCmId(clientEvents));
        id.resolveAddress(null, listener.localAddress(), millis(timeout()));
        clientEvents.expect(CmEventType.ADDR_RESOLVED, timeout());
        id.resolveRoute(millis(timeout()));
        clientEvents.expect(CmEventType.ROUTE_RESOLVED, timeout());
        ProtectionDomain pd = closeLater(id.device().allocateProtectionDomain());
        CompletionQueue ccq = closeLater(id.device().createCompletionQueue(256, null));
        QueuePair qp = closeLater(id.createQueuePair(pd, new QueuePairAttributes(ccq, ccq, 64, 64, 1, 1)));
        MemoryRegion rr = closeLater(pd.register(ByteBuffer.allocateDirect(64), Access.LOCAL_WRITE));
        id.connect(new byte[0], millis(timeout()));
        clientEvents.expect(CmEventType.ESTABLISHED, timeout());
        Side s = await(server);
        return new Link(listener, new Side(id, clientEvents, pd, ccq, qp, rr, 64), s, null, null);
    }

    @Test
    void notificationLosesNoWakeUp() throws Exception {
        int count = 2000;
        Semaphore wakeUps = new Semaphore(0);
        CompletionQueue cq = closeLater(device().createCompletionQueue(256, q -> wakeUps.release()));
        Link link = connectWithCq(cq);
        MemoryRegion src = register(link.client, 8, 0);
        Thread sender = new Thread(() -> {
            try {
                int inFlight = 0;
                WorkCompletion[] one = {new WorkCompletion()};
                for (int i = 0; i < count; i++) {
                    while (inFlight >= 32) {
                        int done = link.client.cq.poll(one);
                        inFlight -= done;
                        if (done == 0) {
                            LockSupport.parkNanos(50_000);
                        }
                    }
                    link.client.qp.postSend(send(i, src, 0, 8));
                    inFlight++;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        sender.setDaemon(true);
        sender.start();
        WorkCompletion[] batch = new WorkCompletion[32];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new WorkCompletion();
        }
        int received = 0;
        while (received < count) {
            int n = drain(cq, batch, link);
            if (n == 0) {
                // poll until empty, arm, poll again: a completion queued in between must still wake us
                cq.requestNotify();
                n = drain(cq, batch, link);
                if (n == 0) {
                    assertTrue(
                            wakeUps.tryAcquire(timeout().toMillis(), TimeUnit.MILLISECONDS),
                            "no wake-up after " + received + " of " + count + " messages");
                    wakeUps.drainPermits();
                }
            }
            received += n;
        }
        sender.join(timeout().toMillis());
        assertEquals(count, received);
    }

    private static int drain(CompletionQueue cq, WorkCompletion[] batch, Link link) throws Exception {
        int n = cq.poll(batch);
        for (int i = 0; i < n; i++) {
            assertStatus(WcStatus.SUCCESS, batch[i]);
            link.server.postReceive((int) batch[i].wrId());
        }
        return n;
    }
}
