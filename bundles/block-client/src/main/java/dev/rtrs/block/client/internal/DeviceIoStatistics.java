package dev.rtrs.block.client.internal;

import dev.rtrs.block.DeviceStatistics;
import dev.rtrs.block.protocol.IoOperation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The IO counters and latency histogram of one mapped device. {@link #record} runs on a transport thread for every
 * RNBD IO that completes, concurrently: it takes no lock and allocates nothing. A {@link #snapshot} read while IO
 * runs may see an IO in one counter and not yet in another.
 */
final class DeviceIoStatistics {

    /** The bucket bounds in nanoseconds, so that an IO's latency is placed without converting it. */
    private static final long[] BOUNDS_NANOS = DeviceStatistics.LATENCY_BUCKET_BOUNDS_SECONDS.stream()
            .mapToLong(s -> Math.round(s * 1e9))
            .toArray();

    private final LongAdder reads = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder others = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder latencySumNanos = new LongAdder();
    /** One slot per bucket and one for the IOs slower than the last bound. */
    private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_NANOS.length + 1);

    /** Counts one completed RNBD IO that took {@code latencyNanos} from its submission. */
    void record(IoOperation operation, int errno, long latencyNanos) {
        switch (operation) {
            case READ -> reads.increment();
            case WRITE, WRITE_ZEROES -> writes.increment();
            default -> others.increment();
        }
        if (errno != 0) {
            errors.increment();
        }
        long latency = Math.max(0, latencyNanos);
        latencySumNanos.add(latency);
        buckets.incrementAndGet(bucket(latency));
    }

    /** The bucket of a latency: the first whose bound it does not exceed, or the last slot for slower ones. */
    static int bucket(long latencyNanos) {
        int i = Arrays.binarySearch(BOUNDS_NANOS, latencyNanos);
        return i >= 0 ? i : -i - 1;
    }

    DeviceStatistics snapshot() {
        List<Long> counts = new ArrayList<>(buckets.length());
        for (int i = 0; i < buckets.length(); i++) {
            counts.add(buckets.get(i));
        }
        return new DeviceStatistics(
                reads.sum(), writes.sum(), others.sum(), errors.sum(), counts, latencySumNanos.sum());
    }
}
