package dev.rtrs.bench.soak;

import dev.rtrs.transport.PathInfo;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The soak program: mixed IO with verification on the appliance's demo in one process, for a given time, while the
 * server closes one path of the session every few seconds and restarts now and then. Prints a progress line every
 * few seconds and a summary at the end; exits with 0 only when every read found what was last written, no IO
 * failed, none hung and every fault was recovered from. Not a test: it runs only when started.
 *
 * <pre>
 * java -cp "bench/target/rtrs-bench.jar:bench/target/lib/*" dev.rtrs.bench.soak.Soak \
 *     [--seconds 60] [--workers 4] [--flap-seconds 5] [--restart-seconds 20] [--restart-down-ms 500]
 * </pre>
 */
public final class Soak {

    /** How long IO in flight at the end may take to complete: longer than a restart's reconnect and remap. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(10);

    private Soak() {}

    public static void main(String[] args) {
        SoakOptions options;
        try {
            if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
                System.out.print(SoakOptions.USAGE);
                return;
            }
            options = SoakOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("soak: " + e.getMessage());
            System.err.print(SoakOptions.USAGE);
            System.exit(2);
            return;
        }
        try {
            // the transport's threads would keep the JVM alive: end it here
            System.exit(run(options) ? 0 : 1);
        } catch (Exception e) {
            System.out.println("soak: FAILED: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Runs the soak; true when it passed. */
    private static boolean run(SoakOptions options) throws Exception {
        System.out.printf(
                Locale.ROOT,
                "soak: %d cores, %s %s, Java %s, load average %.2f; %s s of IO, %d workers, %d%% reads, path flaps %s,"
                        + " server restarts %s%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("java.version"),
                loadAverage(),
                number(options.seconds()),
                options.workers(),
                options.readPercent(),
                options.flapSeconds() > 0 ? "every " + number(options.flapSeconds()) + " s" : "never",
                options.restartSeconds() > 0
                        ? "every " + number(options.restartSeconds()) + " s (down " + options.restartDownMs() + " ms)"
                        : "never");
        try (SoakRig rig = SoakRig.start(options)) {
            System.out.println("soak: " + rig.description());
            return soak(rig, options);
        }
    }

    private static boolean soak(SoakRig rig, SoakOptions options) throws InterruptedException {
        SoakCounters counters = new SoakCounters();
        long start = System.nanoTime();
        long stopAt = start + (long) (options.seconds() * 1e9);
        long lastWaitAt = stopAt + DRAIN_NANOS;
        long regionBytes = rig.device().size() / options.workers() / RegionModel.BLOCK_SIZE * RegionModel.BLOCK_SIZE;
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < options.workers(); i++) {
            Worker w = new Worker(
                    i,
                    rig.device(),
                    new RegionModel(i * regionBytes, regionBytes),
                    options.readPercent(),
                    counters,
                    start,
                    stopAt,
                    lastWaitAt);
            workers.add(w);
            threads.add(daemon(w, "soak-worker-" + i));
        }
        Thread faults = daemon(new FaultInjector(rig, options, counters, start, stopAt, lastWaitAt), "soak-faults");
        threads.forEach(Thread::start);
        faults.start();

        long tick = (long) (options.progressSeconds() * 1e9);
        long lastTick = start;
        long lastIos = 0;
        for (long next = start + tick; next < stopAt; next += tick) {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, next - System.nanoTime()));
            long now = System.nanoTime();
            long ios = counters.ios();
            progress(rig, counters, workers, now - start, (ios - lastIos) / ((now - lastTick) / 1e9));
            lastTick = now;
            lastIos = ios;
        }
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(lastWaitAt - System.nanoTime())));
        }
        double ioSeconds = (System.nanoTime() - start) / 1e9;
        faults.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(lastWaitAt - System.nanoTime()) + 1000));
        long hung = workers.stream().filter(w -> w.inFlightSince() != 0).count();
        boolean faultsEnded = !faults.isAlive();
        if (!faultsEnded) {
            counters.describe("the fault injector did not end: " + stack(faults));
        }
        return summary(rig, counters, ioSeconds, (System.nanoTime() - start) / 1e9, hung, faultsEnded);
    }

    private static void progress(
            SoakRig rig, SoakCounters counters, List<Worker> workers, long elapsedNanos, double iops) {
        long now = System.nanoTime();
        long oldest = 0;
        for (Worker w : workers) {
            long since = w.inFlightSince();
            if (since != 0) {
                oldest = Math.max(oldest, now - since);
            }
        }
        PathTotals paths = PathTotals.of(rig.clientPaths());
        System.out.printf(
                Locale.ROOT,
                "[%6.1f s] %,8.0f IOPS  IOs %,d  errors %d  mismatches %d  fail-overs %d  reconnects %d  flaps %d"
                        + "  restarts %d  oldest IO in flight %.1f ms  longest IO %.1f ms%n",
                elapsedNanos / 1e9,
                iops,
                counters.ios(),
                counters.ioErrors.sum(),
                counters.mismatches.sum(),
                paths.failedOver,
                paths.reconnects,
                counters.flaps.sum(),
                counters.restarts.sum(),
                oldest / 1e6,
                counters.longestIoNanos.get() / 1e6);
    }

    /**
     * Prints the summary and decides the run. A storage operator expects a mapped device to ride through both kinds
     * of fault without the application noticing: a path flap is moved to the other path, and a server restart that
     * is over well within the mapped device's IO timeout (30 s) is held by the RNBD client until the session is
     * back. So any IO error fails the run, as does a mismatch, a hung IO or a path that did not come back.
     */
    private static boolean summary(
            SoakRig rig, SoakCounters counters, double ioSeconds, double seconds, long hung, boolean faultsEnded) {
        PathTotals paths = PathTotals.of(rig.clientPaths());
        long mismatches = counters.mismatches.sum();
        long errors = counters.ioErrors.sum();
        long faultFailures = counters.faultFailures.sum();
        boolean passed = mismatches == 0 && errors == 0 && hung == 0 && faultFailures == 0 && faultsEnded;
        System.out.printf(Locale.ROOT, "soak: summary after %.1f s (load average %.2f)%n", seconds, loadAverage());
        line("IOs", "%,d (%,.0f per second over %.1f s)", counters.ios(), counters.ios() / ioSeconds, ioSeconds);
        line("reads", "%,d, %s", counters.reads.sum(), bytes(counters.readBytes.sum()));
        line("writes", "%,d, %s", counters.writes.sum(), bytes(counters.writtenBytes.sum()));
        line(
                "verified reads",
                "%,d (%,d blocks of 4 KiB checked)",
                counters.verifiedReads.sum(),
                counters.checkedBlocks.sum());
        line("mismatches", "%d blocks (must be 0)", mismatches);
        line("IO errors", "%d (must be 0)", errors);
        line("hung IOs", "%d (in flight at the end of the drain; must be 0)", hung);
        line("fail-overs", "%d (IOs moved to another path, from the client's path counters)", paths.failedOver);
        line("reconnects", "%d (paths the client connected again)", paths.reconnects);
        line("path flaps", "%d%s", counters.flaps.sum(), recovery(counters.longestFlapRecoveryNanos.get()));
        line("server restarts", "%d%s", counters.restarts.sum(), recovery(counters.longestRestartRecoveryNanos.get()));
        line(
                "skipped faults",
                "%d (due while another fault was under way, or a path was down)",
                counters.skippedFaults.sum());
        line("longest IO", "%.1f ms", counters.longestIoNanos.get() / 1e6);
        line("fault failures", "%d (faults not injected or paths not back; must be 0)", faultFailures);
        List<String> problems = counters.described();
        if (!problems.isEmpty()) {
            System.out.println("soak: the first problems:");
            problems.forEach(p -> System.out.println("  " + p));
        }
        System.out.printf(
                Locale.ROOT,
                "SOAK result=%s seconds=%.1f ios=%d reads=%d writes=%d verified_reads=%d mismatches=%d io_errors=%d"
                        + " hung=%d failovers=%d reconnects=%d flaps=%d restarts=%d longest_io_ms=%.1f%n",
                passed ? "PASS" : "FAIL",
                seconds,
                counters.ios(),
                counters.reads.sum(),
                counters.writes.sum(),
                counters.verifiedReads.sum(),
                mismatches,
                errors,
                hung,
                paths.failedOver,
                paths.reconnects,
                counters.flaps.sum(),
                counters.restarts.sum(),
                counters.longestIoNanos.get() / 1e6);
        return passed;
    }

    /** The client's path counters added up over the session's paths. */
    private record PathTotals(long failedOver, long reconnects) {
        static PathTotals of(List<PathInfo> paths) {
            long failedOver = 0;
            long reconnects = 0;
            for (PathInfo p : paths) {
                failedOver += p.statistics().failedOver();
                reconnects += p.statistics().reconnectsSuccessful();
            }
            return new PathTotals(failedOver, reconnects);
        }
    }

    private static void line(String name, String format, Object... values) {
        System.out.printf(Locale.ROOT, "  %-16s %s%n", name, String.format(Locale.ROOT, format, values));
    }

    private static String recovery(long longestNanos) {
        return longestNanos > 0
                ? String.format(Locale.ROOT, ", longest until all paths were back: %d ms", longestNanos / 1_000_000)
                : "";
    }

    private static String bytes(long n) {
        return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static String stack(Thread t) {
        StringBuilder s = new StringBuilder(t.getName());
        for (StackTraceElement e : t.getStackTrace()) {
            s.append("\n      at ").append(e);
        }
        return s.toString();
    }
}
