package dev.rtrs.test.support;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits in a test until something the system under test does asynchronously has happened, or fails the test. The
 * condition is polled every few milliseconds on the calling thread; a timeout or an interrupt ends the wait with an
 * {@link AssertionError} that carries the message.
 */
public final class Await {

    /** Short enough not to slow a test down, long enough not to keep a core busy on a 2-core machine. */
    private static final long POLL_MILLIS = 5;

    private Await() {}

    /** Returns once {@code condition} holds; throws {@code AssertionError(message)} when it did not within timeout. */
    public static void until(BooleanSupplier condition, Duration timeout, String message) {
        until(condition, timeout, () -> message);
    }

    /**
     * Returns once {@code condition} holds; otherwise throws an {@code AssertionError} whose message is computed at
     * the timeout, so that it can describe the state the test gave up on.
     */
    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> message) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // the condition is asked once more after the deadline: a late but successful change still counts
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(message.get());
            }
            pause(message);
        }
    }

    /**
     * Returns the first value {@code probe} gives that is not null; throws {@code AssertionError(message)} when there
     * was none within timeout. What the probe throws ends the wait and is thrown on: a probe may poll a queue whose
     * poll is declared to throw.
     */
    public static <T> T value(Callable<T> probe, Duration timeout, String message) throws Exception {
        return value(probe, timeout, Duration.ofMillis(POLL_MILLIS), () -> message);
    }

    /**
     * As {@link #value(Callable, Duration, String)}, asking every {@code every} (a probe that runs a process or a
     * shell command should not run back to back), with a message computed at the timeout.
     */
    public static <T> T value(Callable<T> probe, Duration timeout, Duration every, Supplier<String> message)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T value = probe.call();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(message.get());
            }
            pause(every.toMillis(), message);
        }
    }

    private static void pause(Supplier<String> message) {
        pause(POLL_MILLIS, message);
    }

    private static void pause(long millis, Supplier<String> message) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting: " + message.get(), e);
        }
    }
}
