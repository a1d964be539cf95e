package dev.rtrs.bench.soak;

import dev.rtrs.bench.loadgen.BlockPattern;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What one worker's region of the device holds, per 4 KiB block: the generation of the last write acknowledged for
 * the block ({@link BlockPattern}), {@link #NEVER_WRITTEN} for a block no write reached (the memory export starts
 * zeroed), or {@link #UNKNOWN} after a write of it failed, until a write of it succeeds. Only the region's worker
 * uses it, and that worker has one IO in flight at a time: what the model says is exactly what a read must find.
 */
final class RegionModel {

    static final int BLOCK_SIZE = 4096;
    static final int NEVER_WRITTEN = 0;
    static final int UNKNOWN = -1;

    /** What {@link #check} found in one read. */
    record Check(int checkedBlocks, int mismatchedBlocks, String firstMismatch) {}

    private final long offset;
    private final int[] generations;

    /** @param offset and {@code length}: the region's bytes, multiples of {@link #BLOCK_SIZE} */
    RegionModel(long offset, long length) {
        if (offset % BLOCK_SIZE != 0 || length % BLOCK_SIZE != 0 || length / BLOCK_SIZE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a region of whole blocks: offset " + offset + ", length " + length);
        }
        this.offset = offset;
        this.generations = new int[(int) (length / BLOCK_SIZE)];
        Arrays.fill(generations, NEVER_WRITTEN);
    }

    long offset() {
        return offset;
    }

    int blocks() {
        return generations.length;
    }

    /** Fills {@code data} from index 0 up to its limit with what a write of {@code generation} at the offset holds. */
    static void fill(long ioOffset, ByteBuffer data, int generation) {
        long firstBlock = ioOffset / BLOCK_SIZE;
        for (int b = 0; b < data.limit() / BLOCK_SIZE; b++) {
            BlockPattern.fill(data, b * BLOCK_SIZE, firstBlock + b, generation, BLOCK_SIZE);
        }
    }

    /** The write of {@code length} bytes at {@code ioOffset} was acknowledged. */
    void written(long ioOffset, int length, int generation) {
        set(ioOffset, length, generation);
    }

    /** The write failed: the blocks may hold the old data, the new, or a mix, until written again. */
    void writeFailed(long ioOffset, int length) {
        set(ioOffset, length, UNKNOWN);
    }

    private void set(long ioOffset, int length, int generation) {
        int first = index(ioOffset);
        Arrays.fill(generations, first, first + length / BLOCK_SIZE, generation);
    }

    /** Checks what a successful read of {@code data.limit()} bytes at {@code ioOffset} found, block by block. */
    Check check(long ioOffset, ByteBuffer data) {
        int first = index(ioOffset);
        int checked = 0;
        int mismatched = 0;
        String firstMismatch = null;
        for (int b = 0; b < data.limit() / BLOCK_SIZE; b++) {
            int expected = generations[first + b];
            if (expected == UNKNOWN) {
                continue;
            }
            checked++;
            long block = ioOffset / BLOCK_SIZE + b;
            int base = b * BLOCK_SIZE;
            int difference = expected == NEVER_WRITTEN
                    ? firstNonZero(data, base)
                    : BlockPattern.firstDifference(data, base, block, expected, BLOCK_SIZE);
            if (difference >= 0) {
                mismatched++;
                if (firstMismatch == null) {
                    firstMismatch = String.format(
                            "block at offset %d: expected %s, found block number %d generation %d, first difference"
                                    + " at byte %d",
                            block * BLOCK_SIZE,
                            expected == NEVER_WRITTEN ? "zeroes (never written)" : "generation " + expected,
                            BlockPattern.foundBlock(data, base),
                            BlockPattern.foundGeneration(data, base),
                            difference);
                }
            }
        }
        return new Check(checked, mismatched, firstMismatch);
    }

    private static int firstNonZero(ByteBuffer data, int base) {
        for (int w = 0; w < BLOCK_SIZE; w += 8) {
            if (data.getLong(base + w) != 0) {
                return w;
            }
        }
        return -1;
    }

    private int index(long ioOffset) {
        return (int) ((ioOffset - offset) / BLOCK_SIZE);
    }
}
