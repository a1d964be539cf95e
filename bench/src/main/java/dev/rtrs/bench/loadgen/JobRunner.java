package dev.rtrs.bench.loadgen;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs one job on a device: {@code ioDepth} slots, each with its own buffer, submit the next IO from the completion
 * of the last one. Every IO's latency, from just before the submit to its completion, goes into a fixed-size
 * histogram per direction. The job ends at its time or its IO count, whichever comes first, or at the first failed
 * IO; then the IOs in flight drain.
 */
final class JobRunner {

    /** Latencies above this are recorded as this (the mapped device fails an IO after 30 s). */
    static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    static final int DIGITS = 3;
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(45);

    /** What the job did in its measured time. */
    record Result(
            Workload job,
            double seconds,
            Histogram reads,
            Histogram writes,
            long errors,
            String firstError,
            long checked,
            long mismatches,
            String firstMismatch,
            long allocatedBytes) {

        Histogram all() {
            Histogram h = new Histogram(HIGHEST_NS, DIGITS);
            h.add(reads);
            h.add(writes);
            return h;
        }

        long ios() {
            return reads.getTotalCount() + writes.getTotalCount();
        }

        double iops() {
            return seconds > 0 ? ios() / seconds : 0;
        }

        /** Heap bytes all threads allocated per IO in the measured time (the load generator's own included). */
        double allocatedPerIo() {
            return ios() > 0 ? (double) allocatedBytes / ios() : 0;
        }

        double mibPerSecond() {
            return iops() * job.blockSize() / (1 << 20);
        }

        boolean failed() {
            return errors > 0 || mismatches > 0;
        }
    }

    /** One interval's figures, for the progress line. */
    record Progress(Workload job, double elapsed, double total, boolean ramping, Histogram interval, double seconds) {}

    private final BlockDevice device;
    private final Workload job;
    private final Verifier verifier;
    private final long units;
    private final Recorder readLatency = new Recorder(1, HIGHEST_NS, DIGITS);
    private final Recorder writeLatency = new Recorder(1, HIGHEST_NS, DIGITS);
    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong sequential = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final CountDownLatch idle;
    private volatile boolean failed;
    /** Set before the first IO; read by the completion threads. */
    private volatile long stopAt;

    private volatile long numberIos;

    /** @param verifier null unless in verify mode; then shared by the jobs of one device */
    JobRunner(BlockDevice device, Workload job, Verifier verifier) {
        if (device.size() < job.blockSize() || job.blockSize() % device.logicalBlockSize() != 0) {
            throw new IllegalArgumentException("the IO size " + job.blockSize() + " does not fit the device ("
                    + device.size() + " bytes, blocks of " + device.logicalBlockSize() + ")");
        }
        this.device = device;
        this.job = job;
        this.verifier = verifier;
        this.units = device.size() / job.blockSize();
        if (verifier != null && job.ioDepth() >= units) {
            throw new IllegalArgumentException("verify needs more IO units (" + units + ") than IOs in flight");
        }
        this.idle = new CountDownLatch(job.ioDepth());
    }

    /**
     * Runs the job; blocks until it ended and its IOs drained.
     *
     * @param progressSeconds interval of {@code progress} calls; 0 for none
     */
    Result run(
            double rampSeconds, double runtimeSeconds, long maxIos, double progressSeconds, Consumer<Progress> progress)
            throws InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + (long) (rampSeconds * 1e9);
        this.stopAt = measureFrom + (long) (runtimeSeconds * 1e9);
        this.numberIos = maxIos;
        // a device that completes on the caller's thread keeps the first submitter busy until the end: not this one
        Thread starter = new Thread(
                () -> {
                    for (int i = 0; i < job.ioDepth(); i++) {
                        new Slot(i).kick();
                    }
                },
                "loadgen-start");
        starter.setDaemon(true);
        starter.start();
        long tick = progressSeconds > 0 ? (long) (progressSeconds * 1e9) : Long.MAX_VALUE / 4;
        long nextTick = start + tick;
        long measuredStart = start;
        boolean measuring = rampSeconds == 0;
        long allocatedAtStart = HeapAllocation.allThreads();
        Histogram reads = new Histogram(HIGHEST_NS, DIGITS);
        Histogram writes = new Histogram(HIGHEST_NS, DIGITS);
        Histogram readInterval = null;
        Histogram writeInterval = null;
        long lastTick = start;
        while (true) {
            long now = System.nanoTime();
            long wake = Math.min(nextTick, measuring ? stopAt + DRAIN_NS : measureFrom);
            if (idle.await(Math.max(0, wake - now), TimeUnit.NANOSECONDS)) {
                break;
            }
            now = System.nanoTime();
            if (now > stopAt + DRAIN_NS) {
                failed = true;
                fail("IOs did not complete within " + DRAIN_NS / 1_000_000_000 + " s after the end of the run");
                break;
            }
            boolean rampEnds = !measuring && now >= measureFrom;
            if (rampEnds || now >= nextTick) {
                readInterval = readLatency.getIntervalHistogram(readInterval);
                writeInterval = writeLatency.getIntervalHistogram(writeInterval);
                reads.add(readInterval);
                writes.add(writeInterval);
                if (now >= nextTick) {
                    Histogram both = readInterval.copy();
                    both.add(writeInterval);
                    progress.accept(new Progress(
                            job,
                            (now - start) / 1e9,
                            (stopAt - start) / 1e9,
                            !measuring,
                            both,
                            (now - lastTick) / 1e9));
                    lastTick = now;
                    nextTick += tick * Math.max(1, (now - nextTick) / tick + 1);
                }
                if (rampEnds) {
                    reads.reset();
                    writes.reset();
                    measuring = true;
                    measuredStart = now;
                    allocatedAtStart = HeapAllocation.allThreads();
                }
            }
        }
        long end = System.nanoTime();
        long allocated = HeapAllocation.allThreads() - allocatedAtStart;
        // a job that ended before its ramp did (by its IO count) is reported whole: measuredStart is still start
        reads.add(readLatency.getIntervalHistogram(readInterval));
        writes.add(writeLatency.getIntervalHistogram(writeInterval));
        return new Result(
                job,
                (end - measuredStart) / 1e9,
                reads,
                writes,
                errors.get(),
                firstError.get(),
                verifier == null ? 0 : verifier.checked(),
                verifier == null ? 0 : verifier.mismatches(),
                verifier == null ? null : verifier.firstMismatch(),
                allocated);
    }

    private void fail(String message) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, message);
    }

    /** One IO in flight at a time, the next submitted from the completion of the last. */
    private final class Slot {
        private final ByteBuffer buffer;
        private final SplittableRandom random;
        /** Submissions owed: a completion that runs inside the submit loops there instead of recursing. */
        private final AtomicInteger wip = new AtomicInteger();

        private final BlockCompletion completion = this::completed;
        private long startNs;
        private long offset;
        private boolean write;
        private int unit;

        Slot(int index) {
            buffer = ByteBuffer.allocateDirect(job.blockSize());
            random = new SplittableRandom(0x5EEDL * (index + 1) ^ System.nanoTime());
            if (verifier == null) {
                byte[] noise = new byte[job.blockSize()];
                random.nextBytes(noise);
                buffer.put(noise).clear();
            }
        }

        void kick() {
            if (wip.getAndIncrement() == 0) {
                do {
                    submit();
                } while (wip.decrementAndGet() != 0);
            }
        }

        private void submit() {
            if (failed || System.nanoTime() >= stopAt || issued.incrementAndGet() > numberIos) {
                idle.countDown();
                return;
            }
            write = !job.readsOnly() && (job.writesOnly() || random.nextInt(100) >= job.readPercent());
            long u = job.pattern().random ? random.nextLong(units) : sequential.getAndIncrement() % units;
            buffer.clear();
            if (verifier != null) {
                unit = verifier.claim(u);
                offset = verifier.offset(unit);
                if (write) {
                    verifier.prepareWrite(unit, buffer);
                }
            } else {
                offset = u * job.blockSize();
            }
            startNs = System.nanoTime();
            if (write) {
                device.write(offset, buffer, 0, completion);
            } else {
                device.read(offset, buffer, completion);
            }
        }

        private void completed(int errno) {
            long latency = Math.min(System.nanoTime() - startNs, HIGHEST_NS);
            if (errno != 0) {
                failed = true;
                fail((write ? "write" : "read") + " at offset " + offset + " failed with errno " + errno);
                if (verifier != null && write) {
                    verifier.writeFailed(unit);
                }
            } else {
                (write ? writeLatency : readLatency).recordValue(latency);
                if (verifier != null && !write) {
                    verifier.checkRead(unit, buffer);
                }
            }
            if (verifier != null) {
                verifier.release(unit);
            }
            kick();
        }
    }
}
