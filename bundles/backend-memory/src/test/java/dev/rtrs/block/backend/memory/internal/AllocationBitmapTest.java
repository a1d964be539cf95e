package dev.rtrs.block.backend.memory.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bitmap against java.util.BitSet, across word boundaries. */
class AllocationBitmapTest {

    @Test
    void setClearAndNextAgreeWithABitSet() {
        int granules = 64 * 5 + 17;
        AllocationBitmap bits = new AllocationBitmap(granules);
        BitSet model = new BitSet(granules);
        Random random = new Random(3);
        for (int i = 0; i < 2_000; i++) {
            int from = random.nextInt(granules);
            int to = from + random.nextInt(Math.min(granules - from, 200) + 1);
            if (random.nextBoolean()) {
                bits.set(from, to);
                model.set(from, to);
            } else {
                bits.clear(from, to);
                model.clear(from, to);
            }
            int at = random.nextInt(granules);
            int end = at + random.nextInt(granules - at + 1);
            int set = model.nextSetBit(at);
            int clear = model.nextClearBit(at);
            assertEquals(set < 0 || set >= end ? end : set, bits.next(at, end, true), "next set from " + at);
            assertEquals(clear >= end ? end : clear, bits.next(at, end, false), "next clear from " + at);
            assertEquals(model.get(at), bits.isSet(at));
        }
    }

    @Test
    void wholeWordsAndEmptyRanges() {
        AllocationBitmap bits = new AllocationBitmap(256);
        bits.set(64, 192);
        assertFalse(bits.isSet(63));
        assertTrue(bits.isSet(64) && bits.isSet(191));
        assertFalse(bits.isSet(192));
        assertEquals(64, bits.next(0, 256, true));
        assertEquals(192, bits.next(64, 256, false));
        assertEquals(256, bits.next(192, 256, true), "none: the end");
        bits.set(10, 10);
        assertFalse(bits.isSet(10), "an empty range changes nothing");
        bits.clear(0, 256);
        assertEquals(256, bits.next(0, 256, true));
    }
}
