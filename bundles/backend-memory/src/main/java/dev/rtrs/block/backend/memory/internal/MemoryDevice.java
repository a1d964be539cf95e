package dev.rtrs.block.backend.memory.internal;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockStatusReceiver;
import dev.rtrs.block.backend.AbstractBlockDevice;
import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * An export held in direct (off-heap) buffers of {@code 2^slabShift} bytes each, since one buffer holds at most
 * 2 GiB. Every operation completes on the caller's thread before it returns; reads and writes copy straight
 * between the caller's buffer and the slabs and allocate nothing. No write cache: flush has nothing to do.
 *
 * <p>Allocation is tracked per granule of the physical block size ({@link AllocationBitmap}): a granule is a hole
 * until written, and again once a discard or write-zeroes covers it whole, which zeroes its memory; a hole reads
 * as zeroes. The memory itself stays reserved, so a hole never makes a later write fail for want of space (what
 * NBD's NO_HOLE asks of write-zeroes holds without more). A write marks its granules before it copies and a
 * zeroing clears them after it zeroed, so a status taken alone never calls data a hole; a write and a zeroing of
 * the same granule at the same time leave it undefined until written again, as they would on a disk.
 */
final class MemoryDevice extends AbstractBlockDevice {

    /** 1 GiB: the largest power of two a ByteBuffer can hold. */
    static final int SLAB_SHIFT = 30;

    private static final int PHYSICAL_BLOCK_SIZE = 4096;
    /** Source of discard and write-zeroes; shared, never written, and read with absolute puts only. */
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(64 * 1024);

    private final int slabShift;
    private final long slabMask;
    private final int granuleShift;
    private final AllocationBitmap allocated;
    private final Consumer<MemoryDevice> onClose;
    /** Null once closed, so that the memory can be reclaimed even if the caller keeps the device. */
    private volatile ByteBuffer[] slabs;

    /**
     * Allocates and zeroes the memory; blocks while it does.
     *
     * @throws OutOfMemoryError if the JVM's direct memory limit does not leave room for it
     */
    MemoryDevice(
            String name,
            long size,
            int logicalBlockSize,
            boolean readOnly,
            int slabShift,
            Consumer<MemoryDevice> onClose) {
        super(name, size, logicalBlockSize, Math.max(logicalBlockSize, PHYSICAL_BLOCK_SIZE), readOnly);
        if (slabShift < 9 || slabShift > SLAB_SHIFT) {
            throw new IllegalArgumentException("slab shift out of [9, " + SLAB_SHIFT + "]: " + slabShift);
        }
        this.slabShift = slabShift;
        this.slabMask = (1L << slabShift) - 1;
        this.granuleShift = Integer.numberOfTrailingZeros(physicalBlockSize());
        this.allocated = new AllocationBitmap((size + physicalBlockSize() - 1) >>> granuleShift);
        this.onClose = onClose;
        ByteBuffer[] s = new ByteBuffer[(int) ((size + slabMask) >>> slabShift)];
        for (int i = 0; i < s.length; i++) {
            s[i] = ByteBuffer.allocateDirect((int) Math.min(1L << slabShift, size - ((long) i << slabShift)));
        }
        slabs = s;
    }

    @Override
    public boolean hasWriteCache() {
        return false;
    }

    /** Without a write cache every write is durable (as durable as memory gets), so FUA means nothing. */
    @Override
    public boolean supportsFua() {
        return false;
    }

    @Override
    public boolean supportsDiscard() {
        return true;
    }

    @Override
    public boolean supportsWriteZeroes() {
        return true;
    }

    /** Number of slabs (for tests). */
    int slabCount() {
        ByteBuffer[] s = slabs;
        return s == null ? 0 : s.length;
    }

    @Override
    protected void doRead(long offset, ByteBuffer dst, BlockCompletion done) {
        ByteBuffer[] s = slabs;
        if (s == null) {
            done.complete(Errno.EIO);
            return;
        }
        int at = dst.position();
        int left = dst.remaining();
        long from = offset;
        while (left > 0) {
            ByteBuffer slab = s[(int) (from >>> slabShift)];
            int in = (int) (from & slabMask);
            int n = Math.min(left, slab.capacity() - in);
            dst.put(at, slab, in, n);
            at += n;
            from += n;
            left -= n;
        }
        done.complete(0);
    }

    @Override
    protected void doWrite(long offset, ByteBuffer src, boolean fua, BlockCompletion done) {
        ByteBuffer[] s = slabs;
        if (s == null) {
            done.complete(Errno.EIO);
            return;
        }
        int at = src.position();
        int left = src.remaining();
        if (left > 0) {
            allocated.set(offset >>> granuleShift, ((offset + left - 1) >>> granuleShift) + 1);
        }
        long to = offset;
        while (left > 0) {
            ByteBuffer slab = s[(int) (to >>> slabShift)];
            int in = (int) (to & slabMask);
            int n = Math.min(left, slab.capacity() - in);
            slab.put(in, src, at, n);
            at += n;
            to += n;
            left -= n;
        }
        done.complete(0);
    }

    @Override
    protected void doFlush(BlockCompletion done) {
        done.complete(slabs == null ? Errno.EIO : 0);
    }

    @Override
    protected void doDiscard(long offset, long length, BlockCompletion done) {
        done.complete(zero(offset, length));
    }

    @Override
    protected void doWriteZeroes(long offset, long length, BlockCompletion done) {
        done.complete(zero(offset, length));
    }

    /** Runs of holes (HOLE and ZERO) and of data, granule by granule, merged. */
    @Override
    protected void doBlockStatus(long offset, long length, BlockStatusReceiver receiver) {
        if (slabs == null) {
            receiver.complete(Errno.EIO);
            return;
        }
        long end = offset + length;
        long endGranule = (end + (1L << granuleShift) - 1) >>> granuleShift;
        long at = offset;
        while (at < end) {
            long granule = at >>> granuleShift;
            boolean data = allocated.isSet(granule);
            long next = allocated.next(granule + 1, endGranule, !data) << granuleShift;
            long extentEnd = Math.min(end, next);
            if (!receiver.extent(extentEnd - at, data ? 0 : BlockStatusReceiver.HOLE | BlockStatusReceiver.ZERO)) {
                break;
            }
            at = extentEnd;
        }
        receiver.complete(0);
    }

    /** Whether the granule holding byte {@code offset} holds data (for tests). */
    boolean isAllocated(long offset) {
        return allocated.isSet(offset >>> granuleShift);
    }

    @Override
    protected void doClose() {
        slabs = null;
        onClose.accept(this);
    }

    /**
     * Zeroes the range: granules it covers whole become holes, the memory of those that held data is zeroed
     * first; in a granule it covers in part only bytes of data need zeroing (a hole reads as zeroes already).
     */
    private int zero(long offset, long length) {
        ByteBuffer[] s = slabs;
        if (s == null) {
            return Errno.EIO;
        }
        long end = offset + length;
        long first = (offset + (1L << granuleShift) - 1) >>> granuleShift; // first granule covered whole
        // the granule after the last one covered whole; a last granule cut short by the size counts as whole
        long last = end == size() ? allocated.granules() : end >>> granuleShift;
        if (first >= last) {
            zeroIfAllocated(s, offset, end);
            return 0;
        }
        zeroIfAllocated(s, offset, first << granuleShift);
        long g = allocated.next(first, last, true);
        while (g < last) {
            long runEnd = allocated.next(g + 1, last, false);
            long from = g << granuleShift;
            fill(s, from, Math.min(end, runEnd << granuleShift) - from);
            allocated.clear(g, runEnd);
            g = allocated.next(runEnd, last, true);
        }
        zeroIfAllocated(s, Math.min(end, last << granuleShift), end);
        return 0;
    }

    /** Zeroes {@code [from, to)}, which lies within one granule, if that granule holds data. */
    private void zeroIfAllocated(ByteBuffer[] s, long from, long to) {
        if (from < to && allocated.isSet(from >>> granuleShift)) {
            fill(s, from, to - from);
        }
    }

    private void fill(ByteBuffer[] s, long offset, long length) {
        long to = offset;
        long left = length;
        while (left > 0) {
            ByteBuffer slab = s[(int) (to >>> slabShift)];
            int in = (int) (to & slabMask);
            int n = (int) Math.min(Math.min(left, slab.capacity() - in), ZEROES.capacity());
            slab.put(in, ZEROES, 0, n);
            to += n;
            left -= n;
        }
    }
}
