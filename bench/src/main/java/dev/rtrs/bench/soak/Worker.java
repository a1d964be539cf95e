package dev.rtrs.bench.soak;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One thread of IO in a region of the device that no other worker touches: random reads and writes of 4 KiB to
 * 1 MiB (powers of two, at 4 KiB-aligned offsets), one at a time, each write carrying its own generation and each
 * read checked against the {@link RegionModel}. Stops at the end of the run, or when an IO does not complete by the
 * end of the drain: that IO is left in flight (its buffer still belongs to the device) and reported as hung.
 */
final class Worker implements Runnable {

    static final int MAX_IO_SIZE = 1 << 20;
    /** 4 KiB shifted by 0 to 8: 4 KiB to 1 MiB. */
    private static final int SIZE_SHIFTS = Integer.numberOfTrailingZeros(MAX_IO_SIZE / RegionModel.BLOCK_SIZE) + 1;

    private static final long MAX_IOS = 1_000_000_000L;

    private final int index;
    private final BlockDevice device;
    private final RegionModel model;
    private final int readPercent;
    private final SoakCounters counters;
    private final long startNanos;
    private final long stopAt;
    /** No IO is waited for beyond this. */
    private final long lastCompletionAt;

    private final SplittableRandom random;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_IO_SIZE);
    /** The last write's generation: each write has one of its own, so a stale block shows which write it is from. */
    private int generation;
    /** When the IO in flight was submitted, or 0 while none is. */
    private volatile long inFlightSince;

    private volatile String inFlight;

    Worker(
            int index,
            BlockDevice device,
            RegionModel model,
            int readPercent,
            SoakCounters counters,
            long startNanos,
            long stopAt,
            long lastCompletionAt) {
        this.index = index;
        this.device = device;
        this.model = model;
        this.readPercent = readPercent;
        this.counters = counters;
        this.startNanos = startNanos;
        this.stopAt = stopAt;
        this.lastCompletionAt = lastCompletionAt;
        this.random = new SplittableRandom(System.nanoTime() ^ (0x5EEDL * (index + 1)));
    }

    @Override
    public void run() {
        try {
            for (long n = 0; n < MAX_IOS && System.nanoTime() < stopAt; n++) {
                if (!oneIo()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Submits one IO and waits for it; false when it did not complete in time. */
    private boolean oneIo() throws InterruptedException {
        int size = RegionModel.BLOCK_SIZE << random.nextInt(SIZE_SHIFTS);
        long offset = model.offset()
                + random.nextLong(model.blocks() - size / RegionModel.BLOCK_SIZE + 1) * RegionModel.BLOCK_SIZE;
        boolean write = random.nextInt(100) >= readPercent;
        buffer.clear().limit(size);
        if (write) {
            generation++;
            RegionModel.fill(offset, buffer, generation);
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        long start = System.nanoTime();
        inFlight = (write ? "write" : "read") + " of " + size + " bytes at offset " + offset;
        inFlightSince = start;
        if (write) {
            device.write(offset, buffer, 0, done::complete);
        } else {
            device.read(offset, buffer, done::complete);
        }
        int errno;
        try {
            errno = done.get(Math.max(0, lastCompletionAt - start), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            counters.describe(String.format(
                    "worker %d: %s submitted at %.1f s did not complete by the end of the drain",
                    index, inFlight, seconds(start)));
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a completion cannot fail", e);
        }
        long latency = System.nanoTime() - start;
        inFlightSince = 0;
        counters.ioDone(write, size, latency);
        if (errno != 0) {
            counters.ioErrors.increment();
            counters.describe(String.format(
                    "worker %d: %s failed with %s after %.1f ms, at %.1f s",
                    index, inFlight, Errno.name(errno), latency / 1e6, seconds(start)));
            if (write) {
                model.writeFailed(offset, size);
            }
        } else if (write) {
            model.written(offset, size, generation);
        } else {
            verify(offset, start);
        }
        return true;
    }

    private void verify(long offset, long start) {
        RegionModel.Check check = model.check(offset, buffer);
        if (check.checkedBlocks() == 0) {
            return;
        }
        counters.verifiedReads.increment();
        counters.checkedBlocks.add(check.checkedBlocks());
        if (check.mismatchedBlocks() > 0) {
            counters.mismatches.add(check.mismatchedBlocks());
            counters.describe(String.format(
                    "MISMATCH worker %d: %s submitted at %.1f s: %d of %d blocks differ; first: %s",
                    index,
                    inFlight,
                    seconds(start),
                    check.mismatchedBlocks(),
                    check.checkedBlocks(),
                    check.firstMismatch()));
        }
    }

    /** When the IO in flight was submitted ({@link System#nanoTime}), or 0 while none is. */
    long inFlightSince() {
        return inFlightSince;
    }

    private double seconds(long nanos) {
        return (nanos - startNanos) / 1e9;
    }
}
