package dev.rtrs.bench.loadgen;

import java.util.Locale;

/**
 * A load generator for the {@code BlockDevice} API, in the manner of fio: random or sequential reads, writes or a
 * mix, with a block size, a queue depth, a run time and a verify mode. Prints a progress line while a job runs
 * (standard error) and IOPS, bandwidth and latency percentiles at its end (standard output), ending with one
 * {@code SUMMARY} line per job.
 *
 * <pre>
 * java -cp "bench/target/rtrs-bench.jar:bench/target/lib/*" dev.rtrs.bench.loadgen.LoadGen \
 *     --workload randread-4k-qd32,write-1m-qd8 --runtime 10 [--verify] [--always-invalidate off] [--paths 1]
 * </pre>
 *
 * Exit code 1 when an IO failed or verify found a mismatch, 2 for a bad command line.
 */
public final class LoadGen {

    /** The verify fill before a read-only job ends after this at the latest. */
    private static final int FILL_SECONDS = 120;

    private LoadGen() {}

    public static void main(String[] args) throws Exception {
        LoadOptions options;
        try {
            if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
                System.out.print(LoadOptions.USAGE);
                return;
            }
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage());
            System.err.print(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.ceilingSeconds() > 0) {
            double mibps = LoopbackCeiling.measure(options.ceilingSeconds());
            System.out.printf(Locale.ROOT, "loopback TCP ceiling: one stream, 1 MiB writes: %.1f MiB/s%n", mibps);
            System.out.printf(Locale.ROOT, "CEILING mibps=%.1f%n", mibps);
            return;
        }
        try {
            System.exit(run(options) ? 0 : 1);
        } catch (Exception e) {
            // the transport's threads would keep the JVM alive: end it here, with the reason
            System.err.println("loadgen: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Runs every job on one device; true when no IO failed and nothing mismatched. */
    private static boolean run(LoadOptions options) throws Exception {
        Report report = new Report(System.out, System.err, System.console() != null);
        boolean ok = true;
        try (DemoTarget target = DemoTarget.open(options)) {
            report.header(options, target.description());
            warmUp(target, options.warmupSeconds());
            Verifier verifier = null;
            for (Workload job : options.jobs()) {
                if (options.verify()) {
                    if (verifier == null || verifier.units() != target.device().size() / job.blockSize()) {
                        verifier = new Verifier(
                                target.device().size(),
                                job.blockSize(),
                                target.device().logicalBlockSize());
                    }
                    if (job.readsOnly()) {
                        ok &= fill(target, job, verifier, report);
                    }
                }
                JobRunner.Result r = new JobRunner(target.device(), job, verifier)
                        .run(
                                options.rampSeconds(),
                                options.runtimeSeconds(),
                                options.numberIos(),
                                options.progressSeconds(),
                                report::progress);
                report.result(r);
                ok &= !r.failed();
            }
        }
        return ok;
    }

    /**
     * Runs the code paths of small and large IOs until the JIT compiled them, so that the first job is measured as
     * warm as the last: half the time random 4 KiB reads and writes at depth 32, half 1 MiB ones at depth 8.
     */
    private static void warmUp(DemoTarget target, double seconds) throws InterruptedException {
        if (seconds <= 0) {
            return;
        }
        for (Workload w : new Workload[] {
            Workload.of(Workload.Pattern.RANDRW, 4096, 32, 50), Workload.of(Workload.Pattern.RW, 1 << 20, 8, 50)
        }) {
            JobRunner.Result r =
                    new JobRunner(target.device(), w, null).run(0, seconds / 2, Long.MAX_VALUE, 0, p -> {});
            if (r.failed()) {
                throw new IllegalStateException("the warm-up failed: " + r.firstError());
            }
        }
    }

    /** Before a read-only job in verify mode: one sequential write of every IO unit, so that each read checks. */
    private static boolean fill(DemoTarget target, Workload job, Verifier verifier, Report report)
            throws InterruptedException {
        Workload fill =
                new Workload("verify-fill", Workload.Pattern.WRITE, job.blockSize(), Math.min(job.ioDepth(), 8), 0);
        JobRunner.Result r =
                new JobRunner(target.device(), fill, verifier).run(0, FILL_SECONDS, verifier.units(), 0, p -> {});
        if (r.ios() < verifier.units() && !r.failed()) {
            System.err.printf(
                    Locale.ROOT,
                    "loadgen: the verify fill wrote %d of %d units in %d s; the rest is not checked%n",
                    r.ios(),
                    verifier.units(),
                    FILL_SECONDS);
        }
        report.result(r);
        return !r.failed();
    }
}
