package dev.rtrs.transport.core.internal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.TransportException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class PermitPoolTest {

    private static PermitPool pool(int n) {
        ClientIo[] ios = new ClientIo[n];
        for (int i = 0; i < n; i++) {
            ios[i] = new ClientIo(i, 0, 0, ByteBuffer.allocate(0));
        }
        return new PermitPool(ios);
    }

    @Test
    void neverHandsOutMoreThanItHas() throws Exception {
        PermitPool pool = pool(3);
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ids.add(pool.tryAcquire().id());
        }
        assertEquals(Set.of(0, 1, 2), ids);
        assertNull(pool.tryAcquire());
        assertNull(pool.acquire(TimeUnit.MILLISECONDS.toNanos(50)));
    }

    @Test
    void handsOutEveryPermitOfSeveralBitmapWordsOnce() throws Exception {
        // 130 permits: two full 64-bit words and two bits of a third, whose other bits must never be handed out
        PermitPool pool = pool(130);
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 130; i++) {
            ClientIo io = pool.tryAcquire();
            assertNotNull(io, "permit " + i);
            assertTrue(ids.add(io.id()), "handed out twice: " + io.id());
        }
        assertEquals(130, ids.size());
        assertNull(pool.tryAcquire());
        ClientIo back = pool(130).tryAcquire();
        assertEquals(0, back.id(), "the lowest free permit first, as the kernel's find_first_zero_bit");
    }

    @Test
    void manyThreadsNeverHoldOnePermitTwice() throws Exception {
        int permits = 70;
        PermitPool pool = pool(permits);
        AtomicIntegerArray holders = new AtomicIntegerArray(permits);
        AtomicInteger clashes = new AtomicInteger();
        AtomicInteger taken = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < 20_000; i++) {
                        ClientIo io = i % 2 == 0 ? pool.tryAcquire() : pool.acquire(TimeUnit.SECONDS.toNanos(5));
                        if (io == null) {
                            continue;
                        }
                        if (!holders.compareAndSet(io.id(), 0, 1)) {
                            clashes.incrementAndGet();
                        }
                        taken.incrementAndGet();
                        holders.set(io.id(), 0);
                        io.markReleased();
                        pool.release(io);
                    }
                } catch (Exception e) {
                    clashes.incrementAndGet();
                }
            });
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        assertEquals(0, clashes.get());
        assertTrue(taken.get() > 0);
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < permits; i++) {
            ids.add(pool.tryAcquire().id());
        }
        assertEquals(permits, ids.size(), "every permit came back");
    }

    @Test
    void waitersAreServedInArrivalOrder() throws Exception {
        PermitPool pool = pool(1);
        ClientIo held = pool.tryAcquire();
        int waiters = 6;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < waiters; i++) {
            int me = i;
            CountDownLatch queued = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try {
                    queued.countDown();
                    ClientIo io = pool.acquire(-1);
                    order.add(me);
                    io.markReleased();
                    pool.release(io);
                } catch (Exception e) {
                    order.add(-1);
                }
            });
            t.start();
            queued.await();
            // wait until the thread is parked in the pool before starting the next one
            while (t.getState() != Thread.State.WAITING) {
                Thread.sleep(1);
            }
            threads.add(t);
        }
        assertNull(pool.tryAcquire(), "no barging past waiting callers");
        held.markReleased();
        pool.release(held);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5), order);
    }

    @Test
    void closeFailsWaitersAndLaterCallers() throws Exception {
        PermitPool pool = pool(1);
        pool.tryAcquire();
        List<Integer> errnos = Collections.synchronizedList(new ArrayList<>());
        Thread waiter = new Thread(() -> {
            try {
                pool.acquire(-1);
            } catch (TransportException e) {
                errnos.add(e.errno());
            } catch (InterruptedException e) {
                errnos.add(-1);
            }
        });
        waiter.start();
        while (waiter.getState() != Thread.State.WAITING) {
            Thread.sleep(1);
        }
        pool.close();
        waiter.join();
        assertEquals(List.of(Errno.ESHUTDOWN), errnos);
        assertEquals(
                Errno.ESHUTDOWN,
                assertThrows(TransportException.class, pool::tryAcquire).errno());
    }

    @Test
    void timedOutWaiterLeavesTheLine() throws Exception {
        PermitPool pool = pool(1);
        ClientIo held = pool.tryAcquire();
        assertNull(pool.acquire(TimeUnit.MILLISECONDS.toNanos(20)));
        held.markReleased();
        pool.release(held);
        assertNotNull(pool.tryAcquire(), "a timed-out waiter must not block later callers");
    }

    @Test
    void permitStateMachine() {
        ClientIo io = new ClientIo(0, 16, 0, ByteBuffer.allocate(0));
        assertEquals(16, io.userArea().capacity());
        io.markAcquired();
        assertTrue(io.startIo());
        assertTrue(!io.markReleased(), "cannot release with an IO in flight");
        assertTrue(io.finishIo());
        assertTrue(!io.finishIo(), "an IO finishes once");
        assertTrue(io.markReleased());
    }
}
