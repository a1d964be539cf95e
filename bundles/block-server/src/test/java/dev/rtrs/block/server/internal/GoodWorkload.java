package dev.rtrs.block.server.internal;

import dev.rtrs.block.BlockDevice;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A well-behaved client's write-then-verify loop on a mapped device, on a thread of its own: random regions, random
 * sizes, each write read back and compared, every region's last contents remembered so that the end can check the
 * whole device once more (a hostile write that landed on it shows up there).
 */
final class GoodWorkload implements AutoCloseable {

    private static final int REGION = 128 * 1024;

    private final BlockDevice device;
    private final int regions;
    private final byte[][] expected;
    private final Thread thread;
    private final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong operations = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong mismatches = new AtomicLong();
    volatile String firstProblem;

    GoodWorkload(BlockDevice device, long seed) {
        this.device = device;
        this.regions = (int) Math.min(128, device.size() / REGION);
        this.expected = new byte[regions][];
        SplittableRandom random = new SplittableRandom(seed);
        this.thread = new Thread(() -> loop(random), "good-workload");
        thread.setDaemon(true);
    }

    GoodWorkload start() {
        thread.start();
        return this;
    }

    private void loop(SplittableRandom random) {
        while (!stop.get()) {
            int region = random.nextInt(regions);
            int length = 4096 * random.nextInt(1, REGION / 4096 + 1);
            byte[] data = new byte[length];
            random.nextBytes(data);
            long offset = (long) region * REGION;
            try {
                int errno = RnbdFixture.write(device, offset, ByteBuffer.wrap(data), 0);
                if (errno != 0) {
                    problem("write at " + offset + ": errno " + errno, errors);
                    continue;
                }
                synchronized (expected) {
                    byte[] e = expected[region] == null ? new byte[REGION] : expected[region];
                    System.arraycopy(data, 0, e, 0, length);
                    expected[region] = e;
                }
                ByteBuffer back = ByteBuffer.allocate(length);
                errno = RnbdFixture.read(device, offset, back);
                if (errno != 0) {
                    problem("read at " + offset + ": errno " + errno, errors);
                } else if (!back.rewind().equals(ByteBuffer.wrap(data))) {
                    problem("read at " + offset + " differs from what was written", mismatches);
                }
                operations.incrementAndGet();
            } catch (Exception e) {
                problem("IO at " + offset + ": " + e, errors);
            }
        }
    }

    private void problem(String what, AtomicLong counter) {
        counter.incrementAndGet();
        if (firstProblem == null) {
            firstProblem = what;
        }
    }

    /** Stops the loop, then reads every region written and compares it with its last contents. */
    void stopAndVerifyAll() throws Exception {
        close();
        for (int r = 0; r < regions; r++) {
            byte[] e;
            synchronized (expected) {
                e = expected[r];
            }
            if (e == null) {
                continue;
            }
            ByteBuffer back = ByteBuffer.allocate(REGION);
            int errno = RnbdFixture.read(device, (long) r * REGION, back);
            if (errno != 0) {
                problem("final read of region " + r + ": errno " + errno, errors);
            } else if (!back.rewind().equals(ByteBuffer.wrap(e))) {
                problem("region " + r + " changed behind the good client's back", mismatches);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(60_000);
    }

    @Override
    public String toString() {
        return operations.get() + " write-verify operations, " + errors.get() + " errors, " + mismatches.get()
                + " mismatches" + (firstProblem == null ? "" : " (first: " + firstProblem + ")");
    }
}
