package dev.rtrs.verbs.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CompletionListener;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CompletionQueueTest {

    private TcpVerbsProvider provider;

    @BeforeAll
    void start() {
        provider =
                new TcpVerbsProvider(TcpProviderOptions.builder().ioThreads(2).build());
    }

    @AfterAll
    void stop() {
        provider.close();
    }

    private TcpCompletionQueue cq(int capacity, CompletionListener listener) throws VerbsException {
        return (TcpCompletionQueue) provider.devices().get(0).createCompletionQueue(capacity, listener);
    }

    private static boolean push(TcpCompletionQueue cq, long wrId) {
        return cq.push(wrId, WcStatus.SUCCESS, WcOpcode.RECV, 8, null, true, (int) wrId, false, 0);
    }

    private static WorkCompletion[] slots(int n) {
        WorkCompletion[] s = new WorkCompletion[n];
        for (int i = 0; i < n; i++) {
            s[i] = new WorkCompletion();
        }
        return s;
    }

    @Test
    void completionsComeOutInOrderInBatches() throws Exception {
        TcpCompletionQueue cq = cq(5, null);
        for (int i = 0; i < 5; i++) {
            assertTrue(push(cq, i));
        }
        WorkCompletion[] two = slots(2);
        assertEquals(2, cq.poll(two));
        assertEquals(0, two[0].wrId());
        assertEquals(1, two[1].wrId());
        assertEquals(1, two[1].immediateData());
        assertTrue(two[1].hasImmediate());
        WorkCompletion[] many = slots(10);
        assertEquals(3, cq.poll(many));
        assertEquals(4, many[2].wrId());
        assertEquals(0, cq.poll(many));
        cq.close();
    }

    @Test
    void aCompletionThatDoesNotFitOverrunsTheQueue() throws Exception {
        TcpCompletionQueue cq = cq(3, null);
        for (int i = 0; i < 3; i++) {
            assertTrue(push(cq, i));
        }
        assertFalse(push(cq, 3), "the producer never waits");
        VerbsException e = assertThrows(VerbsException.class, () -> cq.poll(slots(4)));
        assertEquals(Errno.EOVERFLOW, e.errno());
        cq.close();
        assertEquals(
                Errno.EBADF,
                assertThrows(VerbsException.class, () -> cq.poll(slots(1))).errno());
    }

    @Test
    void theListenerRunsOncePerArmingOnTheQueuesThread() throws Exception {
        Semaphore calls = new Semaphore(0);
        AtomicReference<String> thread = new AtomicReference<>();
        TcpCompletionQueue cq = cq(16, q -> {
            thread.set(Thread.currentThread().getName());
            calls.release();
        });
        assertTrue(push(cq, 1));
        assertFalse(calls.tryAcquire(50, TimeUnit.MILLISECONDS), "not armed: no call");
        cq.requestNotify();
        assertTrue(calls.tryAcquire(5, TimeUnit.SECONDS), "armed with a completion queued: called at once");
        assertTrue(thread.get().contains("-io-"), thread.get());
        assertTrue(push(cq, 2));
        assertFalse(calls.tryAcquire(50, TimeUnit.MILLISECONDS), "called once per arming");
        cq.poll(slots(4));
        cq.requestNotify();
        assertFalse(calls.tryAcquire(50, TimeUnit.MILLISECONDS), "armed and empty: waits");
        assertTrue(push(cq, 3));
        assertTrue(calls.tryAcquire(5, TimeUnit.SECONDS));
        cq.close();
    }

    @Test
    void concurrentProducersLoseNothingAndKeepTheirOrder() throws Exception {
        int producers = 4;
        int each = 20_000;
        TcpCompletionQueue cq = cq(1 << 17, null);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++) {
            long base = (long) p << 32;
            threads[p] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    if (!push(cq, base | i)) {
                        throw new IllegalStateException("overrun");
                    }
                }
            });
            threads[p].start();
        }
        go.countDown();
        long[] next = new long[producers];
        WorkCompletion[] batch = slots(64);
        int total = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (total < producers * each) {
            assertTrue(System.nanoTime() - deadline < 0, "only " + total + " completions");
            int n = cq.poll(batch);
            for (int i = 0; i < n; i++) {
                int p = (int) (batch[i].wrId() >>> 32);
                assertEquals(next[p]++, batch[i].wrId() & 0xFFFF_FFFFL, "producer " + p + " order");
            }
            total += n;
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, cq.poll(batch));
        cq.close();
    }

    @Test
    void capacityIsValidatedAndExact() throws Exception {
        assertEquals(
                Errno.EINVAL,
                assertThrows(VerbsException.class, () -> cq(0, null)).errno());
        assertEquals(7, cq(7, null).capacity());
    }
}
