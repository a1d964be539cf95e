package dev.rtrs.verbs.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventHandler;
import dev.rtrs.verbs.CmEventType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A handler that records events (for the test thread to wait on) after running an optional reaction inside
 * the handler, where providers must allow every id operation. Also records the delivering threads.
 */
public final class Events implements CmEventHandler {

    private final LinkedBlockingQueue<CmEvent> queue = new LinkedBlockingQueue<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile Consumer<CmEvent> reaction;

    /** Runs {@code r} inside the handler before each event is recorded. */
    public Events react(Consumer<CmEvent> r) {
        reaction = r;
        return this;
    }

    @Override
    public void onEvent(CmEvent event) {
        Consumer<CmEvent> r = reaction;
        if (r != null) {
            try {
                r.accept(event);
            } catch (RuntimeException | AssertionError e) {
                failures.add(e);
            }
        }
        queue.add(event);
    }

    /** The next event, waiting up to {@code timeout}. */
    public CmEvent next(Duration timeout) throws InterruptedException {
        CmEvent e = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (e == null) {
            fail("no connection-manager event within " + timeout + failureText());
        }
        return e;
    }

    /** The next event, which must be of {@code type}. */
    public CmEvent expect(CmEventType type, Duration timeout) throws InterruptedException {
        CmEvent e = next(timeout);
        assertEquals(type, e.type(), () -> "event " + e + failureText());
        return e;
    }

    /** Skips events until one of {@code type} arrives. */
    public CmEvent awaitType(CmEventType type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (; ; ) {
            long left = deadline - System.nanoTime();
            CmEvent e = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (e == null) {
                fail("no " + type + " within " + timeout + failureText());
            }
            if (e.type() == type) {
                return e;
            }
        }
    }

    /** Whether an event is waiting, without waiting. */
    public CmEvent poll() {
        return queue.poll();
    }

    /** Failures of the reaction. */
    public List<Throwable> failures() {
        return failures;
    }

    private String failureText() {
        return failures.isEmpty() ? "" : " (handler failures: " + failures + ")";
    }
}
