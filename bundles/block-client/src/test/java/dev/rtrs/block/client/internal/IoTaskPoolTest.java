package dev.rtrs.block.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.IoCallback;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session's pool of IO tasks: a task (the transport's callback of its IO) is reused only once its completion
 * was delivered, never while its IO is in flight or waits for a retry; the pool keeps at most the queue depth and
 * never makes a submitter wait.
 */
class IoTaskPoolTest {

    private static final int QUEUE_DEPTH = 4;
    private static final int MAX_IO = 64 * 1024;

    private final FakeClientSession session = new FakeClientSession(QUEUE_DEPTH, MAX_IO);
    private final SessionHandle handle = new SessionHandle(null, "s1");
    private final MappedDevice device = new MappedDevice("d1", "vol1", AccessMode.RW, handle, 30_000);
    private final List<Integer> completions = new ArrayList<>();

    IoTaskPoolTest() {
        handle.attach(session);
        device.opened(new RnbdOpenRsp(3, 1L << 21, 0, 0, 0, 0, 0, 512, 512, 128, 0, 0, 0));
    }

    private void read(long offset, ByteBuffer dst) {
        device.read(offset, dst, completions::add);
    }

    private IoCallback task(int submission) {
        return session.submitted.get(submission).callback();
    }

    @Test
    void thePoolHoldsTheQueueDepthAtMost() {
        assertEquals(QUEUE_DEPTH, handle.pool().capacity());
        assertEquals(0, handle.pool().idleCount(), "tasks are made when needed");
    }

    @Test
    void aTaskIsNotReusedWhileItsIoIsInFlight() {
        read(0, ByteBuffer.allocate(4096));
        read(4096, ByteBuffer.allocate(4096));
        assertNotSame(task(0), task(1));
        assertEquals(0, handle.pool().idleCount());
    }

    @Test
    void aTaskIsReusedOnceItsCompletionWasDelivered() {
        read(0, ByteBuffer.allocate(4096));
        session.complete(0, 0);
        assertEquals(List.of(0), completions);
        assertEquals(1, handle.pool().idleCount());

        read(4096, ByteBuffer.allocate(4096));
        assertSame(task(0), task(1), "the idle task is taken again");
        assertEquals(0, handle.pool().idleCount());
    }

    @Test
    void aTaskWaitingForItsRetryIsNotReused() {
        read(0, ByteBuffer.allocate(4096));
        handle.suspend();
        session.complete(0, Errno.ECONNABORTED);
        assertEquals(List.of(), completions, "waits for the link");
        assertEquals(0, handle.pool().idleCount());

        read(4096, ByteBuffer.allocate(4096));
        handle.resume();
        assertEquals(3, session.submitted.size());
        assertSame(task(0), task(1), "the retry is the same task");
        assertNotSame(task(0), task(2), "the new IO got a task of its own");

        session.complete(1, 0);
        session.complete(2, 0);
        assertEquals(List.of(0, 0), completions);
        assertEquals(2, handle.pool().idleCount());
    }

    @Test
    void ioBeyondThePermitsGetsNewTasksWithoutWaitingAndThePoolKeepsItsBound() {
        int ios = QUEUE_DEPTH + 6;
        for (int i = 0; i < ios; i++) {
            read(i * 4096L, ByteBuffer.allocate(4096));
        }
        assertEquals(QUEUE_DEPTH, session.submitted.size(), "the others wait for permits");
        // each completion gives its permit to the next waiting IO
        for (int i = 0; i < ios; i++) {
            session.complete(i, 0);
        }
        assertEquals(ios, completions.size());
        assertEquals(0, session.held());
        Set<IoCallback> tasks = Collections.newSetFromMap(new IdentityHashMap<>());
        session.submitted.forEach(s -> tasks.add(s.callback()));
        assertEquals(ios, tasks.size(), "an IO waiting for a permit holds its task");
        assertEquals(QUEUE_DEPTH, handle.pool().idleCount(), "the tasks beyond the queue depth are dropped");
    }

    @Test
    void aTaskGivenBackTwiceIsRefused() {
        IoTaskPool pool = handle.pool();
        IoTask t = pool.acquire(null);
        pool.release(t);
        assertThrows(IllegalStateException.class, () -> pool.release(t));
        assertEquals(1, pool.idleCount());
        assertSame(t, pool.acquire(null));
        assertEquals(0, pool.idleCount());
    }

    @Test
    void aTaskMadeBeyondTheCapacityIsDroppedWhenGivenBackAndRefusedTheSecondTime() {
        IoTaskPool pool = new IoTaskPool(handle, 1);
        IoTask pooled = pool.acquire(null);
        IoTask beyond = pool.acquire(null);
        pool.release(beyond);
        assertEquals(0, pool.idleCount(), "dropped");
        assertThrows(IllegalStateException.class, () -> pool.release(beyond));
        pool.release(pooled);
        assertSame(pooled, pool.acquire(null));
    }

    /**
     * Threads take and give back tasks at the same time, several each, more than the pool holds at the peaks, with
     * and without a buffer whose view they prefer: a task is never held by two at once, and every task with a slot
     * comes back.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentTakersNeverShareATaskAndLoseNone() throws Exception {
        int capacity = 70; // two bitmap words
        int threads = 4;
        int rounds = 5_000;
        int most = 24; // 4 x 24 held at the peaks: beyond the capacity, new tasks are made and dropped
        IoTaskPool pool = new IoTaskPool(handle, capacity);
        Set<IoTask> held = ConcurrentHashMap.newKeySet();
        Set<IoTask> slotted = ConcurrentHashMap.newKeySet();
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int n = 0; n < threads; n++) {
            ByteBuffer buffer = ByteBuffer.allocate(16);
            Thread worker = new Thread(() -> {
                IoTask[] mine = new IoTask[most];
                try {
                    start.await();
                    for (int round = 0; round < rounds && failure.get() == null; round++) {
                        int count = 1 + round % most;
                        for (int i = 0; i < count; i++) {
                            IoTask t = pool.acquire(i % 2 == 0 ? null : buffer);
                            if (!held.add(t)) {
                                failure.compareAndSet(null, "a task was handed out while held");
                            }
                            if (t.slot != IoTask.NO_SLOT) {
                                slotted.add(t);
                            }
                            // a view of this thread's buffer, which its next takes prefer
                            t.range(0, 8, buffer, 4);
                            mine[i] = t;
                        }
                        for (int i = 0; i < count; i++) {
                            held.remove(mine[i]);
                            pool.release(mine[i]);
                        }
                    }
                } catch (InterruptedException | RuntimeException e) {
                    failure.compareAndSet(null, e.toString());
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertNull(failure.get());
        assertTrue(slotted.size() <= capacity);
        assertEquals(slotted.size(), pool.idleCount(), "every task with a slot came back");
        Set<IoTask> again = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < slotted.size(); i++) {
            assertTrue(again.add(pool.acquire(null)), "each idle task is handed out once");
        }
        assertEquals(slotted, again);
        assertFalse(slotted.contains(pool.acquire(null)), "none is left: the next is a new task");
    }

    @Test
    void anIdleTaskKeepsItsViewForTheNextPieceOfTheSameBuffer() {
        ByteBuffer x = ByteBuffer.allocate(2 * MAX_IO);
        ByteBuffer y = ByteBuffer.allocate(2 * MAX_IO);
        read(0, x);
        read(0, y);
        assertEquals(QUEUE_DEPTH, session.submitted.size());
        Set<ByteBuffer> viewsOfX = views(0, 1);
        for (int i = 0; i < QUEUE_DEPTH; i++) {
            session.complete(i, 0);
        }
        assertEquals(List.of(0, 0), completions);
        assertEquals(QUEUE_DEPTH, handle.pool().idleCount());

        read(0, x);
        assertEquals(viewsOfX, views(QUEUE_DEPTH, QUEUE_DEPTH + 1), "the views of x made for its first read");
    }

    private Set<ByteBuffer> views(int... submissions) {
        Set<ByteBuffer> views = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i : submissions) {
            views.add(session.submitted.get(i).data()[0]);
        }
        return views;
    }
}
