package dev.rtrs.bench.loadgen;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Verify mode: every logical block a job writes carries its block number, the generation of its IO unit (one unit is
 * one IO's worth of blocks at an offset aligned to the IO size) and a fill derived from both ({@link BlockPattern});
 * a read checks the generation last written. Two IOs never run on one unit at a time, so that what a read finds is
 * defined. Units nothing wrote yet (generation 0) are not checked.
 */
final class Verifier {

    /** Units kept in an array: at most this many (with 4 KiB IOs, 256 GiB). */
    static final long MAX_UNITS = 1L << 26;

    private final int unitSize;
    private final int logicalBlockSize;
    /** Written only by the IO that holds the unit's busy flag, whose atomic release publishes it. */
    private final int[] generations;

    private final AtomicIntegerArray busy;
    private final LongAdder checked = new LongAdder();
    private final LongAdder mismatches = new LongAdder();
    private final AtomicReference<String> firstMismatch = new AtomicReference<>();

    Verifier(long deviceSize, int unitSize, int logicalBlockSize) {
        long units = deviceSize / unitSize;
        if (units < 1 || units > MAX_UNITS) {
            throw new IllegalArgumentException("verify keeps 1.." + MAX_UNITS + " IO units; the device has " + units);
        }
        if (unitSize % logicalBlockSize != 0 || logicalBlockSize % 16 != 0) {
            throw new IllegalArgumentException(
                    "the IO size " + unitSize + " is not a multiple of the block size " + logicalBlockSize);
        }
        this.unitSize = unitSize;
        this.logicalBlockSize = logicalBlockSize;
        this.generations = new int[(int) units];
        this.busy = new AtomicIntegerArray((int) units);
    }

    long units() {
        return generations.length;
    }

    /** Takes the first free unit from {@code unit} on; the caller holds fewer units than there are. */
    int claim(long unit) {
        int u = (int) unit;
        while (!busy.compareAndSet(u, 0, 1)) {
            u = u + 1 == generations.length ? 0 : u + 1;
        }
        return u;
    }

    void release(int unit) {
        busy.set(unit, 0);
    }

    long offset(int unit) {
        return (long) unit * unitSize;
    }

    /** Fills {@code data} (from index 0) for a write of the unit's next generation. */
    void prepareWrite(int unit, ByteBuffer data) {
        int g = generations[unit] == Integer.MAX_VALUE ? 1 : generations[unit] + 1;
        generations[unit] = g;
        long firstBlock = offset(unit) / logicalBlockSize;
        for (int b = 0; b < unitSize / logicalBlockSize; b++) {
            BlockPattern.fill(data, b * logicalBlockSize, firstBlock + b, g, logicalBlockSize);
        }
    }

    /** A failed write leaves the unit's content unknown: it is not checked again until written again. */
    void writeFailed(int unit) {
        generations[unit] = 0;
    }

    /** Checks what a read of the unit found; counts each block that is not what was last written. */
    void checkRead(int unit, ByteBuffer data) {
        int g = generations[unit];
        if (g == 0) {
            return;
        }
        checked.increment();
        long firstBlock = offset(unit) / logicalBlockSize;
        for (int b = 0; b < unitSize / logicalBlockSize; b++) {
            int base = b * logicalBlockSize;
            long block = firstBlock + b;
            int badWord = BlockPattern.firstDifference(data, base, block, g, logicalBlockSize);
            if (badWord >= 0) {
                mismatches.increment();
                firstMismatch.compareAndSet(
                        null,
                        String.format(
                                "block %d (offset %d), generation %d: found block %d, generation %d, byte %d differs",
                                block,
                                block * logicalBlockSize,
                                g,
                                BlockPattern.foundBlock(data, base),
                                BlockPattern.foundGeneration(data, base),
                                badWord));
            }
        }
    }

    long checked() {
        return checked.sum();
    }

    long mismatches() {
        return mismatches.sum();
    }

    /** The first mismatch found, or null. */
    String firstMismatch() {
        return firstMismatch.get();
    }
}
