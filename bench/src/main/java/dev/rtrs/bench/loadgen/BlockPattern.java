package dev.rtrs.bench.loadgen;

import java.nio.ByteBuffer;

/**
 * What a verifying writer puts into one block: its block number (8 bytes), the generation of the write (8 bytes),
 * and a fill derived from both for the rest, so that a block found at the wrong place, a stale block and a torn
 * block all tell apart from the right one. Absolute gets and puts only: buffers keep their position and limit.
 */
public final class BlockPattern {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private BlockPattern() {}

    /** Writes the pattern of {@code block} at {@code generation} into {@code blockSize} bytes from {@code base}. */
    public static void fill(ByteBuffer data, int base, long block, int generation, int blockSize) {
        data.putLong(base, block);
        data.putLong(base + 8, generation);
        for (int w = 16; w < blockSize; w += 8) {
            data.putLong(base + w, fill(block, generation, w));
        }
    }

    /** The offset in the block of the first 8 bytes that differ from the pattern, or -1 when none does. */
    public static int firstDifference(ByteBuffer data, int base, long block, int generation, int blockSize) {
        if (data.getLong(base) != block) {
            return 0;
        }
        if (data.getLong(base + 8) != generation) {
            return 8;
        }
        for (int w = 16; w < blockSize; w += 8) {
            if (data.getLong(base + w) != fill(block, generation, w)) {
                return w;
            }
        }
        return -1;
    }

    /** The block number a block found in {@code data} at {@code base} carries. */
    public static long foundBlock(ByteBuffer data, int base) {
        return data.getLong(base);
    }

    /** The generation a block found in {@code data} at {@code base} carries. */
    public static long foundGeneration(ByteBuffer data, int base) {
        return data.getLong(base + 8);
    }

    private static long fill(long block, int generation, int word) {
        return (block * GOLDEN) ^ ((long) generation << 32) ^ word;
    }
}
