package dev.rtrs.verbs.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Keys, addresses and the per-region access guard. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MemoryGuardTest {

    private static final int ALL = Access.LOCAL_WRITE | Access.REMOTE_WRITE | Access.REMOTE_READ;
    private TcpVerbsProvider provider;
    private TcpProtectionDomain pd;
    private MemoryTable table;

    @BeforeAll
    void start() throws Exception {
        provider =
                new TcpVerbsProvider(TcpProviderOptions.builder().ioThreads(1).build());
        pd = (TcpProtectionDomain) provider.devices().get(0).allocateProtectionDomain();
        table = pd.tcpDevice().memoryTable();
    }

    @AfterAll
    void stop() {
        provider.close();
    }

    private TcpMemoryRegion region(int size, int access) throws Exception {
        return (TcpMemoryRegion) pd.register(ByteBuffer.allocateDirect(size), access);
    }

    @Test
    void aKeyIsTheIndexAndAVariantAndLooksItsRegionUp() throws Exception {
        TcpMemoryRegion r = region(100, ALL);
        assertEquals(r.index(), r.rkey() >>> 8);
        assertNotEquals(0, r.rkey() & 0xFF, "variants start at 1");
        assertEquals(r.lkey(), r.rkey());
        assertSame(r, table.lookup(r.rkey()));
        assertSame(
                r, table.lookup((r.rkey() & ~0xFF) | 0x33), "lookup is by index; the variant is checked by the guard");
        assertNull(table.lookup(0x7FFF_FF00));
        r.close();
        assertNull(table.lookup(r.rkey()));
    }

    @Test
    void aReusedIndexStartsAtTheNextVariant() throws Exception {
        TcpMemoryRegion first = region(64, ALL);
        int oldKey = first.rkey();
        first.updateKey();
        first.close();
        TcpMemoryRegion second = region(64, ALL);
        if (second.index() == first.index()) {
            assertEquals((oldKey + 2) & 0xFF, second.rkey() & 0xFF);
        }
        assertFalse(second.acquireRemote(oldKey, Access.REMOTE_WRITE), "a stale key does not reach the new region");
        second.close();
    }

    @Test
    void addressesAreDisjointAndNeverReused() throws Exception {
        TcpMemoryRegion a = region(5000, ALL);
        TcpMemoryRegion b = region(10, ALL);
        assertTrue(a.address() + a.length() < b.address(), "a gap separates regions");
        long oldAddress = b.address();
        b.close();
        TcpMemoryRegion c = region(10, ALL);
        assertTrue(c.address() > oldAddress);
        assertTrue(c.contains(c.address(), 10));
        assertFalse(c.contains(c.address() + 1, 10));
        assertFalse(c.contains(c.address() - 1, 1));
        assertTrue(c.contains(c.address() + 10, 0));
        a.close();
        c.close();
    }

    @Test
    void remoteAccessNeedsTheKeyInForceAndTheFlags() throws Exception {
        TcpMemoryRegion r = region(64, Access.LOCAL_WRITE | Access.REMOTE_READ);
        assertFalse(r.acquireRemote(r.rkey(), Access.REMOTE_WRITE));
        assertTrue(r.acquireRemote(r.rkey(), Access.REMOTE_READ));
        r.release();
        assertFalse(r.acquireRemote(r.rkey() + 1, Access.REMOTE_READ));
        r.close();
        assertFalse(r.acquireRemote(r.rkey(), Access.REMOTE_READ));
    }

    @Test
    void anInvalidationWaitsForTheAccessesInFlight() throws Exception {
        TcpMemoryRegion r = region(64, ALL);
        assertTrue(r.acquireRemote(r.rkey(), Access.REMOTE_WRITE));
        assertTrue(r.acquireRemote(r.rkey(), Access.REMOTE_WRITE));
        AtomicInteger fenced = new AtomicInteger();
        assertEquals(TcpMemoryRegion.DEFERRED, r.invalidate(r.rkey()));
        assertTrue(r.whenFenced(fenced::incrementAndGet));
        assertFalse(r.isRemotelyAccessible());
        assertFalse(r.acquireRemote(r.rkey(), Access.REMOTE_WRITE), "no new access after the invalidation");
        r.release();
        assertEquals(0, fenced.get());
        r.release();
        assertEquals(1, fenced.get(), "told once the last access ended");
        assertEquals(TcpMemoryRegion.INVALIDATED, r.invalidate(r.rkey()));
        assertFalse(r.whenFenced(fenced::incrementAndGet), "nothing to wait for");
        assertEquals(1, fenced.get());
        assertTrue(r.acceptsLocal(r.lkey(), true), "the lkey stays usable locally");
        r.close();
        assertFalse(r.acceptsLocal(r.lkey(), false));
    }

    @Test
    void aRegistrationDuringAFenceStillCompletesTheFence() throws Exception {
        TcpMemoryRegion r = region(64, ALL);
        assertTrue(r.acquireRemote(r.rkey(), Access.REMOTE_WRITE));
        AtomicInteger fenced = new AtomicInteger();
        int old = r.rkey();
        assertEquals(TcpMemoryRegion.DEFERRED, r.invalidate(old));
        assertTrue(r.whenFenced(fenced::incrementAndGet));
        int fresh = r.updateKey();
        assertTrue(r.register(fresh, ALL));
        assertTrue(r.isRemotelyAccessible());
        r.release();
        assertEquals(1, fenced.get());
        assertTrue(r.acquireRemote(fresh, Access.REMOTE_WRITE));
        r.release();
        assertFalse(r.acquireRemote(old, Access.REMOTE_WRITE));
        assertEquals(TcpMemoryRegion.BAD_KEY, r.invalidate(old));
        r.close();
    }

    @Test
    void updateKeyIncrementsTheLowByteAndWraps() throws Exception {
        TcpMemoryRegion r = region(64, ALL);
        int index = r.rkey() & ~0xFF;
        for (int i = 0; i < 300; i++) {
            int before = r.rkey();
            int after = r.updateKey();
            assertEquals(index, after & ~0xFF);
            assertEquals((before + 1) & 0xFF, after & 0xFF);
        }
        r.close();
    }

    @Test
    void closeWaitsForTheCopyRunningAndStopsTheNext() throws Exception {
        TcpMemoryRegion r = region(64, ALL);
        assertTrue(r.beginCopy());
        CountDownLatch closed = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            r.close();
            closed.countDown();
        });
        closer.start();
        assertFalse(closed.await(100, TimeUnit.MILLISECONDS), "close waits for the copy in progress");
        r.endCopy();
        assertTrue(closed.await(5, TimeUnit.SECONDS));
        assertFalse(r.beginCopy(), "no copy starts after close");
    }

    @Test
    void accessesThatEndBeforeTheWaiterComesLeaveNothingToWaitFor() throws Exception {
        TcpMemoryRegion r = region(64, ALL);
        assertTrue(r.acquireRemote(r.rkey(), Access.REMOTE_WRITE));
        assertEquals(TcpMemoryRegion.DEFERRED, r.invalidate(r.rkey()));
        r.release();
        AtomicInteger fenced = new AtomicInteger();
        assertFalse(r.whenFenced(fenced::incrementAndGet), "the invalidation is complete already");
        assertEquals(0, fenced.get());
        r.close();
    }
}
