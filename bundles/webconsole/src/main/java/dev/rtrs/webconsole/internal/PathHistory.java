package dev.rtrs.webconsole.internal;

import dev.rtrs.transport.PathStatistics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-path IOPS and throughput of the last {@code capacity} samples, in a ring shared by all paths: one time axis, and
 * for each path four rate arrays aligned with it (what a chart of several series wants). Memory is bounded whatever the
 * number of paths: at most {@code maxPaths} are tracked, the others are only counted, and a path missing from a sample
 * is dropped at once, which frees its place.
 *
 * <p>Thread-safe: the sampler records on its thread, requests take snapshots on theirs; both hold the monitor only
 * for array copies.
 */
final class PathHistory {

    private final int capacity;
    private final int maxPaths;
    private final long[] timesMillis;
    private final Map<String, Track> tracks = new LinkedHashMap<>();
    /** The slot the next sample goes to. */
    private int next;
    /** Slots holding a sample. */
    private int size;

    private int untrackedPaths;

    /**
     * @param capacity samples kept (the sampler takes one a second)
     * @param maxPaths paths tracked at the most
     */
    PathHistory(int capacity, int maxPaths) {
        if (capacity < 2 || maxPaths < 1) {
            throw new IllegalArgumentException(
                    "capacity must be at least 2 and maxPaths at least 1: " + capacity + ", " + maxPaths);
        }
        this.capacity = capacity;
        this.maxPaths = maxPaths;
        this.timesMillis = new long[capacity];
    }

    /**
     * Records one sample of every path present now.
     *
     * @param timeMillis wall-clock time, for the time axis
     * @param nanos      monotonic time ({@link System#nanoTime()}), for the rates: a clock step must not fake a burst
     */
    synchronized void record(long timeMillis, long nanos, List<PathSample> samples) {
        int slot = next;
        timesMillis[slot] = timeMillis;
        next = (next + 1) % capacity;
        size = Math.min(size + 1, capacity);

        Set<String> present = new HashSet<>();
        for (PathSample s : samples) {
            present.add(s.key());
        }
        tracks.keySet().retainAll(present);
        int untracked = 0;
        Set<String> done = new HashSet<>();
        for (PathSample s : samples) {
            if (!done.add(s.key())) {
                continue;
            }
            Track track = tracks.get(s.key());
            if (track == null) {
                if (tracks.size() >= maxPaths) {
                    untracked++;
                    continue;
                }
                track = new Track(s, capacity);
                tracks.put(s.key(), track);
            }
            track.record(slot, nanos, s.statistics());
        }
        untrackedPaths = untracked;
    }

    /** The samples held, oldest first. */
    synchronized Snapshot snapshot() {
        int first = (next - size + capacity) % capacity;
        long[] times = new long[size];
        for (int i = 0; i < size; i++) {
            times[i] = timesMillis[(first + i) % capacity];
        }
        List<Series> series = new ArrayList<>();
        for (Track t : tracks.values()) {
            series.add(new Series(
                    t.key,
                    t.side,
                    t.session,
                    t.path,
                    ordered(t.readIops, first),
                    ordered(t.writeIops, first),
                    ordered(t.readBytesPerSecond, first),
                    ordered(t.writeBytesPerSecond, first)));
        }
        // one order whichever side was seen first: client paths, then server paths, each by session and path
        series.sort(Comparator.comparing(Series::side)
                .thenComparing(Series::session)
                .thenComparing(Series::path));
        return new Snapshot(capacity, times, List.copyOf(series), untrackedPaths);
    }

    private double[] ordered(double[] ring, int first) {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = ring[(first + i) % capacity];
        }
        return out;
    }

    /**
     * The history at one moment.
     *
     * @param capacity       samples kept at the most
     * @param timesMillis    sample times, oldest first
     * @param series         one per tracked path, aligned with {@code timesMillis}; client paths first, each side by
     *                       session and path name
     * @param untrackedPaths paths present at the last sample but not tracked ({@code maxPaths} reached)
     */
    record Snapshot(int capacity, long[] timesMillis, List<Series> series, int untrackedPaths) {}

    /**
     * One path's rates, aligned with the snapshot's times; {@link Double#NaN} where the path was not sampled yet or
     * had no previous sample to compare with.
     */
    record Series(
            String key,
            String side,
            String session,
            String path,
            double[] readIops,
            double[] writeIops,
            double[] readBytesPerSecond,
            double[] writeBytesPerSecond) {}

    /** One tracked path: its rate rings and the counters of its previous sample. */
    private static final class Track {

        final String key;
        final String side;
        final String session;
        final String path;
        final double[] readIops;
        final double[] writeIops;
        final double[] readBytesPerSecond;
        final double[] writeBytesPerSecond;
        private PathStatistics previous;
        private long previousNanos;

        Track(PathSample first, int capacity) {
            key = first.key();
            side = first.side();
            session = first.session();
            path = first.path();
            readIops = nanArray(capacity);
            writeIops = nanArray(capacity);
            readBytesPerSecond = nanArray(capacity);
            writeBytesPerSecond = nanArray(capacity);
        }

        void record(int slot, long nanos, PathStatistics now) {
            double seconds = previous == null ? 0 : (nanos - previousNanos) / 1e9;
            if (seconds > 0) {
                readIops[slot] = delta(now.readCount(), previous.readCount()) / seconds;
                writeIops[slot] = delta(now.writeCount(), previous.writeCount()) / seconds;
                readBytesPerSecond[slot] = delta(now.readBytes(), previous.readBytes()) / seconds;
                writeBytesPerSecond[slot] = delta(now.writeBytes(), previous.writeBytes()) / seconds;
            } else {
                readIops[slot] = Double.NaN;
                writeIops[slot] = Double.NaN;
                readBytesPerSecond[slot] = Double.NaN;
                writeBytesPerSecond[slot] = Double.NaN;
            }
            previous = now;
            previousNanos = nanos;
        }

        /** A counter that went down was reset (rtrs:reset-stats): what it holds now all came after the reset. */
        private static long delta(long now, long before) {
            return now >= before ? now - before : now;
        }

        private static double[] nanArray(int length) {
            double[] a = new double[length];
            Arrays.fill(a, Double.NaN);
            return a;
        }
    }
}
