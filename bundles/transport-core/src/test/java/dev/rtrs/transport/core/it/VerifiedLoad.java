package dev.rtrs.transport.core.it;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.Permit;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A write-then-verify workload across a fault: each worker owns its own blocks, writes a block with new content,
 * reads it back and compares, and remembers what every block must hold; at the end every block is read once more.
 * Counts IO errors, mismatches and the worst IO latency. Bounded in IO count and in time.
 */
final class VerifiedLoad implements AutoCloseable {

    static final int BLOCK = 4096;

    private final ClientSession session;
    private final int blocksPerWorker;
    private final List<Thread> workers = new ArrayList<>();
    private final List<byte[][]> expected = new ArrayList<>();
    private volatile boolean stop;
    final AtomicLong ios = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong mismatches = new AtomicLong();
    final AtomicLong worstLatencyNanos = new AtomicLong();
    volatile String firstProblem;

    VerifiedLoad(ClientSession session, int workerCount, int blocksPerWorker, long maxIosPerWorker) {
        this.session = session;
        this.blocksPerWorker = blocksPerWorker;
        for (int w = 0; w < workerCount; w++) {
            byte[][] blocks = new byte[blocksPerWorker][];
            expected.add(blocks);
            int worker = w;
            Thread t = new Thread(() -> run(worker, blocks, maxIosPerWorker), "verified-load-" + w);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    private long offset(int worker, int block) {
        return ((long) worker * blocksPerWorker + block) * BLOCK;
    }

    private void run(int worker, byte[][] blocks, long maxIos) {
        Random rnd = new Random(worker);
        for (long n = 0; n < maxIos && !stop; n++) {
            int block = rnd.nextInt(blocksPerWorker);
            byte[] content = new byte[BLOCK];
            rnd.nextBytes(content);
            int errno = io(Direction.WRITE, offset(worker, block), ByteBuffer.wrap(content));
            if (errno != 0) {
                problem(errors, "write errno " + errno);
                continue;
            }
            blocks[block] = content;
            ByteBuffer back = ByteBuffer.allocate(BLOCK);
            errno = io(Direction.READ, offset(worker, block), back);
            if (errno != 0) {
                problem(errors, "read errno " + errno);
            } else if (!ByteBuffer.wrap(content).equals(back)) {
                problem(mismatches, "worker " + worker + " block " + block + " read back other data");
            }
        }
    }

    private int io(Direction direction, long offset, ByteBuffer data) {
        long start = System.nanoTime();
        try {
            Permit p = session.acquirePermit(20, TimeUnit.SECONDS);
            if (p == null) {
                return -1;
            }
            try {
                CompletableFuture<Integer> done = new CompletableFuture<>();
                session.submit(p, direction, StorageHandler.header(offset), new ByteBuffer[] {data}, done::complete);
                return done.get(30, TimeUnit.SECONDS);
            } finally {
                session.releasePermit(p);
            }
        } catch (Exception e) {
            firstProblem = firstProblem == null ? e.toString() : firstProblem;
            return -2;
        } finally {
            ios.incrementAndGet();
            worstLatencyNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
        }
    }

    private void problem(AtomicLong counter, String what) {
        counter.incrementAndGet();
        if (firstProblem == null) {
            firstProblem = what;
        }
    }

    /** Stops the workers, then reads every block written once more and compares it. */
    void finish() throws InterruptedException {
        stop = true;
        for (Thread t : workers) {
            t.join(60_000);
        }
        for (int w = 0; w < expected.size(); w++) {
            byte[][] blocks = expected.get(w);
            for (int b = 0; b < blocks.length; b++) {
                if (blocks[b] == null) {
                    continue;
                }
                ByteBuffer back = ByteBuffer.allocate(BLOCK);
                int errno = io(Direction.READ, offset(w, b), back);
                if (errno != 0) {
                    problem(errors, "final read errno " + errno);
                } else if (!ByteBuffer.wrap(blocks[b]).equals(back)) {
                    problem(mismatches, "worker " + w + " block " + b + " lost its last write");
                }
            }
        }
    }

    String summary() {
        return ios.get() + " IOs, " + errors.get() + " errors, " + mismatches.get() + " mismatches, worst latency "
                + TimeUnit.NANOSECONDS.toMillis(worstLatencyNanos.get()) + " ms"
                + (firstProblem == null ? "" : "; first problem: " + firstProblem);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : workers) {
            t.join(60_000);
        }
    }
}
