package dev.rtrs.bench.soak;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Breaks the rig on a schedule, from its own thread: every {@code flapSeconds} it closes one path of the session on
 * the server, the two server addresses in turn; every {@code restartSeconds} it restarts the server. After each fault
 * it waits for the client to see the break and then for every path to be connected again, and prints how long that
 * took, so that each fault starts from a session with both paths connected. A restart that fell due meanwhile comes
 * next; flaps that fell due meanwhile, or together with a restart, are skipped and counted. A restart never keeps the
 * server down past the end of the run. Ends by itself then.
 */
final class FaultInjector implements Runnable {

    /** Faults of one run at most (with one every second, more than a day's worth). */
    private static final int MAX_FAULTS = 100_000;

    /** How long the client may take to notice a break. */
    private static final long NOTICE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How long the client may take to connect every path again once the server is up (reconnects: every 2-3 s). */
    private static final long RECOVERY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final SoakRig rig;
    private final SoakCounters counters;
    private final long startNanos;
    private final long stopAt;
    /** Nothing is waited for beyond this: the end of the run's drain. */
    private final long lastWaitAt;

    private final long flapEvery;
    private final long restartEvery;
    private final long restartDownMs;

    FaultInjector(
            SoakRig rig, SoakOptions options, SoakCounters counters, long startNanos, long stopAt, long lastWaitAt) {
        this.rig = rig;
        this.counters = counters;
        this.startNanos = startNanos;
        this.stopAt = stopAt;
        this.lastWaitAt = lastWaitAt;
        this.flapEvery = (long) (options.flapSeconds() * 1e9);
        this.restartEvery = (long) (options.restartSeconds() * 1e9);
        this.restartDownMs = options.restartDownMs();
    }

    @Override
    public void run() {
        List<InetAddress> addresses = rig.serverAddresses();
        long nextFlap = flapEvery > 0 ? startNanos + flapEvery : Long.MAX_VALUE;
        long nextRestart = restartEvery > 0 ? startNanos + restartEvery : Long.MAX_VALUE;
        long turn = 0;
        try {
            for (int fault = 0; fault < MAX_FAULTS && Math.min(nextFlap, nextRestart) < stopAt; fault++) {
                sleepUntil(Math.min(nextFlap, nextRestart));
                if (nextRestart <= nextFlap) {
                    restart();
                    nextRestart += restartEvery;
                } else {
                    flap(addresses.get((int) (turn++ % addresses.size())));
                    nextFlap += flapEvery;
                }
                // a restart due meanwhile comes next, so that flaps cannot crowd restarts out; due flaps are skipped
                long now = System.nanoTime();
                nextRestart = latestDue(nextRestart, restartEvery, now);
                nextFlap = firstAfter(nextFlap, flapEvery, now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            counters.faultFailures.increment();
            counters.describe("fault injection stopped: " + e);
        }
    }

    /** The first of {@code due}, {@code due + every}, ... after {@code now}; counts the ones before it as skipped. */
    private long firstAfter(long due, long every, long now) {
        if (due > now) {
            return due;
        }
        long missed = (now - due) / every + 1;
        counters.skippedFaults.add(missed);
        return due + missed * every;
    }

    /** The last of {@code due}, {@code due + every}, ... not after {@code now}, or {@code due} when it is after it. */
    private long latestDue(long due, long every, long now) {
        if (due > now) {
            return due;
        }
        long missed = (now - due) / every;
        counters.skippedFaults.add(missed);
        return due + missed * every;
    }

    private void flap(InetAddress serverAddress) throws InterruptedException {
        long at = System.nanoTime();
        if (!rig.allPathsConnected()) {
            counters.skippedFaults.increment();
            log("flap skipped: a path of the client is not connected: " + rig.pathStates());
            return;
        }
        String path = rig.closePath(serverAddress);
        if (path == null) {
            counters.skippedFaults.increment();
            log("flap skipped: the server has no path of the session to " + serverAddress.getHostAddress());
            return;
        }
        counters.flaps.increment();
        String flap = "flap " + counters.flaps.sum();
        log(flap + ": closed path " + path + " on the server");
        long recovery = awaitRecovery(at, at);
        if (recovery >= 0) {
            counters.longestFlapRecoveryNanos.accumulateAndGet(recovery, Math::max);
            log(flap + ": " + recovered(recovery));
        }
    }

    private void restart() throws Exception {
        long at = System.nanoTime();
        long downMs = Math.min(restartDownMs, Math.max(0, TimeUnit.NANOSECONDS.toMillis(stopAt - at)));
        String restart = "server restart " + (counters.restarts.sum() + 1);
        log(restart + ": closing the server for " + downMs + " ms");
        rig.restartServer(downMs);
        counters.restarts.increment();
        log(restart + ": listening again");
        long recovery = awaitRecovery(at, System.nanoTime());
        if (recovery >= 0) {
            counters.longestRestartRecoveryNanos.accumulateAndGet(recovery, Math::max);
            log(restart + ": " + recovered(recovery));
        }
    }

    /**
     * Waits for the client to notice the break, then for every path to be connected again.
     *
     * @param upAt when the server could take the paths again
     * @return nanoseconds from {@code brokeAt} until all paths were connected, or -1 when they were not in time
     */
    private long awaitRecovery(long brokeAt, long upAt) throws InterruptedException {
        boolean noticed = await(() -> !rig.allPathsConnected(), Math.min(brokeAt + NOTICE_NANOS, lastWaitAt));
        if (!noticed) {
            counters.faultFailures.increment();
            counters.describe(String.format(
                    Locale.ROOT,
                    "at %.1f s: the client did not notice the break in %.1f s",
                    seconds(brokeAt),
                    (System.nanoTime() - brokeAt) / 1e9));
            return -1;
        }
        if (!await(rig::allPathsConnected, Math.min(upAt + RECOVERY_NANOS, lastWaitAt))) {
            counters.faultFailures.increment();
            counters.describe(String.format(
                    Locale.ROOT,
                    "at %.1f s: the client's paths were not all connected again %.1f s after the server was up: %s",
                    seconds(brokeAt),
                    (System.nanoTime() - upAt) / 1e9,
                    rig.pathStates()));
            return -1;
        }
        return System.nanoTime() - brokeAt;
    }

    /** Polls {@code condition} every millisecond until it holds or {@code deadline} passed. */
    private static boolean await(BooleanSupplier condition, long deadline) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static String recovered(long recoveryNanos) {
        return String.format(
                Locale.ROOT,
                "all paths of the client connected again %d ms after the break",
                recoveryNanos / 1_000_000);
    }

    private void log(String event) {
        System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", seconds(System.nanoTime()), event);
    }

    private double seconds(long nanos) {
        return (nanos - startNanos) / 1e9;
    }
}
