package dev.rtrs.itests;

import dev.rtrs.block.BlockDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A write-then-verify workload on a block device, run while a test changes the appliance under it: each worker owns
 * its blocks, writes new content, reads it back and compares. Bounded in IO count and time.
 */
final class BlockVerifiedLoad {

    private static final int BLOCK = 4096;

    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean stop;
    final AtomicLong ios = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong mismatches = new AtomicLong();
    volatile String firstProblem;

    BlockVerifiedLoad(BlockDevice device, int workerCount, int blocksPerWorker, long maxIosPerWorker) {
        for (int w = 0; w < workerCount; w++) {
            long base = (long) w * blocksPerWorker * BLOCK;
            int seed = w;
            Thread t = new Thread(
                    () -> run(device, base, blocksPerWorker, maxIosPerWorker, new Random(seed)),
                    "block-verified-load-" + w);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    private void run(BlockDevice device, long base, int blocks, long maxIos, Random rnd) {
        for (long n = 0; n < maxIos && !stop; n++) {
            long offset = base + (long) rnd.nextInt(blocks) * BLOCK;
            byte[] content = new byte[BLOCK];
            rnd.nextBytes(content);
            try {
                CompletableFuture<Integer> w = new CompletableFuture<>();
                device.write(offset, ByteBuffer.wrap(content), 0, w::complete);
                int errno = w.get(60, TimeUnit.SECONDS);
                ios.incrementAndGet();
                if (errno != 0) {
                    problem(errors, "write errno " + errno);
                    continue;
                }
                ByteBuffer back = ByteBuffer.allocate(BLOCK);
                CompletableFuture<Integer> r = new CompletableFuture<>();
                device.read(offset, back, r::complete);
                errno = r.get(60, TimeUnit.SECONDS);
                ios.incrementAndGet();
                if (errno != 0) {
                    problem(errors, "read errno " + errno);
                } else if (!ByteBuffer.wrap(content).equals(ByteBuffer.wrap(back.array()))) {
                    problem(mismatches, "block at " + offset + " read back other data");
                }
            } catch (Exception e) {
                problem(errors, e.toString());
            }
        }
    }

    private void problem(AtomicLong counter, String what) {
        counter.incrementAndGet();
        if (firstProblem == null) {
            firstProblem = what;
        }
    }

    /** Stops the workers and waits for them. */
    void finish() throws InterruptedException {
        stop = true;
        for (Thread t : workers) {
            t.join(120_000);
        }
    }

    String summary() {
        return ios.get() + " IOs, " + errors.get() + " errors, " + mismatches.get() + " mismatches"
                + (firstProblem == null ? "" : "; first problem: " + firstProblem);
    }
}
