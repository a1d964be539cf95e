package dev.rtrs.block.backend.memory.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which granules of a memory device hold data: one bit per granule, set by a write, cleared when a discard or
 * write-zeroes covers the whole granule. Lock-free and allocation-free: bits change by compare-and-set, and a
 * bit already in the wanted state costs one read.
 */
final class AllocationBitmap {

    private final AtomicLongArray words;
    private final long granules;

    AllocationBitmap(long granules) {
        if (granules < 0 || (granules + 63) >>> 6 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("granules: " + granules);
        }
        this.granules = granules;
        this.words = new AtomicLongArray((int) ((granules + 63) >>> 6));
    }

    long granules() {
        return granules;
    }

    boolean isSet(long granule) {
        return (words.get((int) (granule >>> 6)) & 1L << granule) != 0;
    }

    /** Sets the bits of granules {@code [from, to)}. */
    void set(long from, long to) {
        change(from, to, true);
    }

    /** Clears the bits of granules {@code [from, to)}. */
    void clear(long from, long to) {
        change(from, to, false);
    }

    /**
     * The first granule in {@code [from, to)} whose bit is {@code set}, or {@code to} when there is none: the end
     * of a run of granules in the other state.
     */
    long next(long from, long to, boolean set) {
        long g = from;
        while (g < to) {
            int w = (int) (g >>> 6);
            long word = set ? words.get(w) : ~words.get(w);
            word &= -1L << g; // bits below g in this word are behind us
            if (word != 0) {
                return Math.min(to, ((long) w << 6) + Long.numberOfTrailingZeros(word));
            }
            g = (long) (w + 1) << 6;
        }
        return to;
    }

    private void change(long from, long to, boolean set) {
        long g = from;
        while (g < to) {
            int w = (int) (g >>> 6);
            long end = Math.min(to, (long) (w + 1) << 6);
            // bits g..end-1 of word w; a shift by 64 is a shift by 0 in Java, hence the full-word case
            long mask = (end - g == 64 ? -1L : ((1L << (end - g)) - 1)) << g;
            while (true) {
                long old = words.get(w);
                long now = set ? old | mask : old & ~mask;
                if (now == old || words.compareAndSet(w, old, now)) {
                    break;
                }
            }
            g = end;
        }
    }
}
