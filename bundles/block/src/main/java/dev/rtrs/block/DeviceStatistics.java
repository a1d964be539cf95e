package dev.rtrs.block;

import java.util.List;

/**
 * The IO of a mapped device since it was mapped: counters only grow.
 *
 * @param reads           READ IOs completed (with or without error)
 * @param writes          WRITE IOs completed, including write-zeroes
 * @param others          FLUSH and DISCARD IOs completed
 * @param errors          IOs completed with an error
 * @param latencyCounts   IOs per latency bucket: {@code latencyCounts.get(i)} counts the IOs that took at most
 *                        {@link #LATENCY_BUCKET_BOUNDS_SECONDS}{@code [i]} and more than the bucket before; the last
 *                        element counts the slower ones
 * @param latencySumNanos the IOs' latencies added up
 */
public record DeviceStatistics(
        long reads, long writes, long others, long errors, List<Long> latencyCounts, long latencySumNanos) {

    /** Upper bounds of the latency buckets, from 50 µs to 10 s. */
    public static final List<Double> LATENCY_BUCKET_BOUNDS_SECONDS = List.of(
            0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            10.0);

    public DeviceStatistics {
        latencyCounts = List.copyOf(latencyCounts);
        if (latencyCounts.size() != LATENCY_BUCKET_BOUNDS_SECONDS.size() + 1) {
            throw new IllegalArgumentException("one count per latency bucket and one for the slower IOs");
        }
    }
}
