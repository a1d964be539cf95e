package dev.rtrs.transport.core.internal.stats;

import dev.rtrs.transport.PathStatistics;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The live counters of one path; {@link #snapshot()} gives the API's immutable view. Thread-safe. */
public final class PathCounters {

    private final LongAdder readCount = new LongAdder();
    private final LongAdder readBytes = new LongAdder();
    private final LongAdder writeCount = new LongAdder();
    private final LongAdder writeBytes = new LongAdder();
    private final AtomicInteger inflight = new AtomicInteger();
    private final LongAdder failedOver = new LongAdder();
    private final LongAdder reconnectsSuccessful = new LongAdder();
    private final LongAdder reconnectsFailed = new LongAdder();

    public void ioStarted() {
        inflight.incrementAndGet();
    }

    /** An IO left the path without completing here (failed over or aborted). */
    public void ioLeft() {
        inflight.decrementAndGet();
    }

    public void readDone(long bytes) {
        inflight.decrementAndGet();
        readCount.increment();
        readBytes.add(bytes);
    }

    public void writeDone(long bytes) {
        inflight.decrementAndGet();
        writeCount.increment();
        writeBytes.add(bytes);
    }

    public void failedOver() {
        failedOver.increment();
    }

    public void reconnected() {
        reconnectsSuccessful.increment();
    }

    public void reconnectFailed() {
        reconnectsFailed.increment();
    }

    public int inflight() {
        return inflight.get();
    }

    /** Zeroes the counters; in-flight IOs are a state, not a counter, and stay. */
    public void reset() {
        readCount.reset();
        readBytes.reset();
        writeCount.reset();
        writeBytes.reset();
        failedOver.reset();
        reconnectsSuccessful.reset();
        reconnectsFailed.reset();
    }

    public PathStatistics snapshot() {
        return new PathStatistics(
                readCount.sum(),
                readBytes.sum(),
                writeCount.sum(),
                writeBytes.sum(),
                inflight.get(),
                failedOver.sum(),
                reconnectsSuccessful.sum(),
                reconnectsFailed.sum());
    }
}
