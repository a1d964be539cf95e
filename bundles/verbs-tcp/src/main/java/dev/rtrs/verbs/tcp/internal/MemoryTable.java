package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.VerbsException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The device's memory regions by key. A key is the region's index in the upper 24 bits and a variant in the low
 * 8 bits (fast registration increments the variant). Lookup is one array read without a lock; registration and
 * deregistration are rare and synchronized.
 *
 * <p>Regions get synthetic device addresses from a range that is never reused, so a stale address names no
 * region; a freed index starts its next region at the variant after its last one, so a stale key names no
 * region for the next 255 re-uses.
 */
final class MemoryTable {

    static final int MAX_REGIONS = (1 << 24) - 1;
    /** Where synthetic addresses begin; a gap of one page separates regions. */
    static final long FIRST_ADDRESS = 0x0000_7f00_0000_0000L;

    private static final long PAGE = 4096;

    private volatile AtomicReferenceArray<TcpMemoryRegion> slots = new AtomicReferenceArray<>(64);
    private int[] lastVariant = new int[64];
    private int[] free = new int[16];
    private int freeCount;
    private int nextIndex = 1;
    private long nextAddress = FIRST_ADDRESS;

    /** Registers {@code memory} (position 0 to its limit) as a new region. */
    synchronized TcpMemoryRegion register(TcpProtectionDomain pd, ByteBuffer memory, int access) throws VerbsException {
        int index;
        if (freeCount > 0) {
            index = free[--freeCount];
        } else if (nextIndex <= MAX_REGIONS) {
            index = nextIndex++;
        } else {
            throw new VerbsException(Errno.ENOMEM, "all " + MAX_REGIONS + " memory region keys are in use");
        }
        if (index >= slots.length()) {
            grow(Math.min(MAX_REGIONS + 1, slots.length() * 2));
        }
        int variant = (lastVariant[index] + 1) & 0xFF;
        long address = nextAddress;
        long span = (memory.limit() + PAGE - 1) / PAGE * PAGE;
        nextAddress += span + PAGE;
        TcpMemoryRegion region = new TcpMemoryRegion(pd, this, index, variant, address, memory, access);
        slots.set(index, region);
        return region;
    }

    /** The region a key's index names, or {@code null}; the caller checks the variant. Lock-free. */
    TcpMemoryRegion lookup(int key) {
        int index = key >>> 8;
        AtomicReferenceArray<TcpMemoryRegion> s = slots;
        return index < s.length() ? s.get(index) : null;
    }

    synchronized void remove(TcpMemoryRegion region) {
        int index = region.index();
        if (slots.get(index) != region) {
            return;
        }
        slots.set(index, null);
        lastVariant[index] = region.lastVariant();
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = index;
    }

    private void grow(int capacity) {
        AtomicReferenceArray<TcpMemoryRegion> bigger = new AtomicReferenceArray<>(capacity);
        AtomicReferenceArray<TcpMemoryRegion> old = slots;
        for (int i = 0; i < old.length(); i++) {
            bigger.set(i, old.get(i));
        }
        lastVariant = Arrays.copyOf(lastVariant, capacity);
        // readers holding the old array may still see a region removed later; its state then says closed
        slots = bigger;
    }
}
