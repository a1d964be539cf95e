package dev.rtrs.verbs.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEvent;
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
import dev.rtrs.verbs.WorkCompletion;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The views a queue pair's frames send from and place into: re-pointed for each use, in one frame at a time, as
 * many per region as were in use at once; steady traffic from many regions whose keys change per request makes no
 * new view and allocates nothing on the provider's IO threads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ViewPoolTest {

    private TcpVerbsProvider provider;
    private ProtectionDomain pd;

    @BeforeAll
    void start() throws Exception {
        // no ACK timeout: its periodic check schedules a timer object, which is not what this test counts
        provider = new TcpVerbsProvider(TcpProviderOptions.builder()
                .ioThreads(2)
                .eventThreads(1)
                .ackTimeout(0)
                .build());
        pd = provider.devices().get(0).allocateProtectionDomain();
    }

    @AfterAll
    void stop() {
        provider.close();
    }

    private TcpMemoryRegion region(int size) throws Exception {
        return (TcpMemoryRegion) pd.register(ByteBuffer.allocateDirect(size), Access.LOCAL_WRITE);
    }

    @Test
    void aViewCoversTheAskedRangeAndComesBackForTheNextUse() throws Exception {
        ViewPool pool = new ViewPool();
        TcpMemoryRegion r = region(4096);
        ByteBuffer v = pool.lend(r, r.address() + 100, 50);
        assertEquals(100, v.position());
        assertEquals(150, v.limit());
        pool.giveBack(r, v);
        ByteBuffer again = pool.lend(r, r.address() + 10, 20);
        assertSame(v, again, "a view given back is lent again");
        assertEquals(10, again.position());
        assertEquals(30, again.limit());
        assertEquals(1, pool.made());
        r.close();
    }

    @Test
    void viewsInUseAtOnceAreDistinctAndEachRegionHasItsOwn() throws Exception {
        ViewPool pool = new ViewPool();
        TcpMemoryRegion a = region(64);
        TcpMemoryRegion b = region(64);
        ByteBuffer a1 = pool.lend(a, a.address(), 8);
        ByteBuffer a2 = pool.lend(a, a.address() + 8, 8);
        assertNotSame(a1, a2, "a view is in one frame at a time");
        pool.giveBack(a, a1);
        pool.giveBack(a, a2);
        ByteBuffer b1 = pool.lend(b, b.address() + 4, 1);
        assertTrue(b1 != a1 && b1 != a2, "a view of one region is never lent for another");
        b1.put(4, (byte) 7);
        assertEquals(7, b.buffer().get(4), "the view is of b's memory");
        assertEquals(0, a.buffer().get(4));
        pool.giveBack(b, b1);
        for (int i = 0; i < 100; i++) {
            TcpMemoryRegion r = i % 2 == 0 ? a : b;
            pool.giveBack(r, pool.lend(r, r.address() + i % 64, 0));
        }
        assertEquals(3, pool.made(), "alternating regions reuse the views they have");
        a.close();
        b.close();
    }

    @Test
    void theViewsOfAClosedRegionAreLetGoWhenANewRegionComes() throws Exception {
        ViewPool pool = new ViewPool();
        TcpMemoryRegion a = region(64);
        ByteBuffer v = pool.lend(a, a.address(), 8);
        pool.giveBack(a, v);
        a.close();
        TcpMemoryRegion b = region(64);
        pool.giveBack(b, pool.lend(b, b.address(), 8));
        assertNotSame(v, pool.lend(a, a.address(), 8), "the pool no longer holds a's view");
        b.close();
    }

    /**
     * The pattern of an RTRS server with always_invalidate, on one queue pair: per request a LOCAL_INV and a REG_MR of
     * one of many regions (its key changes each time), in runs of 64 requests a WRITE from it (a READ's data) or not
     * (a WRITE's response has none), and a SEND from one shared region (the response), several requests in flight.
     * So the send queue's slots hold a changing mix of regions. The peer places the WRITEs into three regions in
     * turn. Every byte that arrives is checked.
     */
    @Test
    void steadyTrafficFromManyRegionsWithFreshKeysMakesNoViewAndAllocatesNothing() throws Exception {
        try (Server server = new Server(provider, Traffic.RECEIVES);
                Traffic traffic = new Traffic(server)) {
            traffic.run(2_000);
            TcpQueuePair sender = (TcpQueuePair) traffic.qp;
            TcpQueuePair receiver = (TcpQueuePair) traffic.peer.qp;
            int viewsMade = sender.views.made() + receiver.views.made();
            long allocated = ioThreadsAllocated();

            int requests = 10_000;
            traffic.run(requests);

            long perRequest = (ioThreadsAllocated() - allocated) / requests;
            assertEquals(viewsMade, sender.views.made() + receiver.views.made(), "no view made in steady traffic");
            assertEquals(0, perRequest, "heap bytes the IO threads allocated per request");
            traffic.checkLastWrites();
        }
    }

    /** Heap bytes allocated so far by the provider's IO threads. */
    private static long ioThreadsAllocated() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("rtrs-tcp") && t.getName().contains("-io-")) {
                total += threads.getThreadAllocatedBytes(t.getId());
            }
        }
        return total;
    }

    /** A client queue pair sending to a {@link Server}'s accepted one, as described above. */
    private final class Traffic implements AutoCloseable {
        static final int RECEIVES = 16;
        static final int IN_FLIGHT = 8;
        static final int SOURCES = 16;
        static final int TARGETS = 3;
        static final int WRITE = 512;
        static final int MESSAGE = 64;

        final LinkedBlockingQueue<CmEvent> events = new LinkedBlockingQueue<>();
        final CmId id;
        final CompletionQueue cq;
        final QueuePair qp;
        final Server.Accepted peer;
        final MemoryRegion[] sources = new MemoryRegion[SOURCES];
        final MemoryRegion shared;
        final MemoryRegion[] targets = new MemoryRegion[TARGETS];
        /** The byte each place of the targets must hold: that of the last WRITE there. */
        final byte[] written = new byte[TARGETS * 8];

        final Server server;
        final SendWorkRequest wr = new SendWorkRequest(1);
        final ReceiveWorkRequest receive = new ReceiveWorkRequest(1);
        final WorkCompletion[] completions = {new WorkCompletion()};
        long posted;
        long sent;
        long received;

        Traffic(Server server) throws Exception {
            this.server = server;
            id = provider.createCmId(events::add);
            id.resolveAddress(null, server.address(), 1000);
            expect(CmEventType.ADDR_RESOLVED);
            id.resolveRoute(1000);
            expect(CmEventType.ROUTE_RESOLVED);
            cq = id.device().createCompletionQueue(256, null);
            // 50 slots for 4 requests a round: each slot sees a different opcode and region from round to round
            qp = id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 50, 4, 1, 1));
            for (int i = 0; i < SOURCES; i++) {
                sources[i] = region(4096);
                ByteBuffer b = sources[i].buffer();
                while (b.hasRemaining()) {
                    b.put((byte) (i + 1));
                }
            }
            shared = region(16 * MESSAGE);
            ByteBuffer b = shared.buffer();
            for (int i = 0; b.hasRemaining(); i++) {
                b.put((byte) i);
            }
            for (int i = 0; i < TARGETS; i++) {
                targets[i] = server.pd.register(
                        ByteBuffer.allocateDirect(8 * WRITE), Access.LOCAL_WRITE | Access.REMOTE_WRITE);
            }
            id.connect(new byte[0], 5000);
            expect(CmEventType.ESTABLISHED);
            peer = server.next();
            peer.event(CmEventType.ESTABLISHED);
        }

        private void expect(CmEventType type) throws InterruptedException {
            for (; ; ) {
                CmEvent e = events.poll(10, TimeUnit.SECONDS);
                if (e == null) {
                    throw new AssertionError("no " + type);
                }
                if (e.type() == type) {
                    return;
                }
            }
        }

        /** Runs {@code requests} more requests to their end, {@link #IN_FLIGHT} at a time. */
        void run(int requests) throws Exception {
            long end = posted + requests;
            while (received < end || sent < end) {
                // a request is in flight until its SEND completed (its slots are free) and the peer has taken it and
                // posted the receive again (no RNR)
                while (posted < end && posted - Math.min(sent, received) < IN_FLIGHT) {
                    post(posted++);
                }
                long before = sent + received;
                while (cq.poll(completions) > 0) {
                    assertTrue(completions[0].isSuccess(), () -> "send " + completions[0]);
                    sent++;
                }
                while (peer.cq.poll(completions) > 0) {
                    checkReceive(completions[0]);
                }
                if (sent + received == before) {
                    // leave the cores to the IO threads
                    Thread.yield();
                }
            }
        }

        private void post(long n) throws Exception {
            MemoryRegion source = sources[(int) (n % SOURCES)];
            qp.postSend(wr.reset(n, SendOpcode.LOCAL_INV).flags(0).invalidate(source.rkey()));
            source.updateKey();
            qp.postSend(wr.reset(n, SendOpcode.REG_MR).flags(0).registration(source, Access.LOCAL_WRITE));
            if (n / 64 % 2 == 0) {
                int t = (int) (n % TARGETS);
                int place = (int) (n / TARGETS % 8);
                qp.postSend(wr.reset(n, SendOpcode.RDMA_WRITE)
                        .flags(0)
                        .addSge(source, (int) (n * WRITE % 4096), WRITE)
                        .remote(targets[t].address() + place * WRITE, targets[t].rkey()));
                written[t * 8 + place] = (byte) (n % SOURCES + 1);
            }
            qp.postSend(wr.reset(n, SendOpcode.SEND).addSge(shared, (int) (n % 16 * MESSAGE), MESSAGE));
        }

        private void checkReceive(WorkCompletion wc) throws Exception {
            assertTrue(wc.isSuccess() && wc.opcode() == WcOpcode.RECV, () -> "receive " + wc);
            assertEquals(MESSAGE, wc.byteLength());
            int slot = (int) wc.wrId();
            ByteBuffer arrived = server.receives.buffer();
            int first = (int) (received % 16 * MESSAGE);
            for (int i = 0; i < MESSAGE; i++) {
                assertEquals((byte) (first + i), arrived.get(slot * 1024 + i), "SEND " + received + " byte " + i);
            }
            received++;
            peer.qp.postReceive(receive.reset(slot).addSge(server.receives, slot * 1024, 1024));
        }

        /** Each place of the targets holds the bytes of the source region of the last WRITE there. */
        void checkLastWrites() {
            for (int p = 0; p < written.length; p++) {
                ByteBuffer target = targets[p / 8].buffer();
                for (int i = 0; i < WRITE; i++) {
                    assertEquals(written[p], target.get(p % 8 * WRITE + i), "target " + p / 8 + " place " + p % 8);
                }
            }
        }

        @Override
        public void close() throws Exception {
            qp.close();
            id.close();
            peer.qp.close();
            peer.id.close();
            for (MemoryRegion r : sources) {
                r.close();
            }
            shared.close();
            for (MemoryRegion r : targets) {
                r.close();
            }
        }
    }
}
