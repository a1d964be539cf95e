package dev.rtrs.block.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockCompletion;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Records the completion of one operation: its errno, and how often it was called (the contract says once). */
public final class Completion implements BlockCompletion {

    /** How long a test waits for one completion before it declares the device hung. */
    public static final long TIMEOUT_SECONDS = 10;

    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicInteger calls = new AtomicInteger();
    private volatile int errno = -1;

    @Override
    public void complete(int errno) {
        if (calls.incrementAndGet() == 1) {
            this.errno = errno;
            done.countDown();
        }
    }

    /** Waits for the completion and returns its errno; fails the test after {@value #TIMEOUT_SECONDS} s. */
    public int await() throws InterruptedException {
        assertTrue(
                done.await(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                "operation did not complete within " + TIMEOUT_SECONDS + " s");
        return errno;
    }

    public boolean isDone() {
        return done.getCount() == 0;
    }

    /** How many times {@link #complete} was called. */
    public int calls() {
        return calls.get();
    }
}
