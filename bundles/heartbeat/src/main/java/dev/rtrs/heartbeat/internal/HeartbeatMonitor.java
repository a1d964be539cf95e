package dev.rtrs.heartbeat.internal;

import dev.rtrs.transport.Heartbeat;
import dev.rtrs.transport.HeartbeatPath;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's RTRS heartbeat on a timer: at every interval each watched path that received nothing since the last
 * tick counts one miss, and one that received anything starts counting again; more than {@code missedMax} misses in
 * a row declare the path dead. A path that sent nothing for an interval (no IO, no heartbeat) sends HB_MSG, so that
 * an idle peer answers with HB_ACK; one heartbeat is outstanding at a time, and its acknowledgement gives the
 * round-trip time, smoothed as TCP smooths its RTT (7/8 old, 1/8 new).
 *
 * <p>A silent path is declared dead between {@code (missedMax + 1)} and {@code (missedMax + 2)} intervals after the
 * last thing it received. Plain Java: a test can {@code new} it and drive {@link #tick(long)} by hand.
 *
 * <p>Threading: {@link #watch}, {@link #unwatch} and {@link #configure} may be called from any thread; ticks run on
 * the monitor's one timer thread. No lock is held while a path is called.
 */
public final class HeartbeatMonitor implements Heartbeat, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatMonitor.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Map<HeartbeatPath, Watch> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private volatile long intervalNanos;
    private volatile int missedMax;
    private ScheduledFuture<?> ticking;
    /** When the last counted tick ran; touched by the timer thread only. */
    private long lastTick = Long.MIN_VALUE;

    /** What the monitor knows of one path; touched by the timer thread only (after its creation). */
    private static final class Watch {
        final HeartbeatPath path;
        long seenReceive;
        int misses;
        long heartbeatSentAt;
        long smoothedRtt = -1;

        Watch(HeartbeatPath path) {
            this.path = path;
            this.seenReceive = path.lastReceiveNanos();
        }
    }

    /** A monitor with its own timer thread, ticking from now on. */
    public HeartbeatMonitor(long intervalMs, int missedMax) {
        this(
                Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "rtrs-heartbeat-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }),
                intervalMs,
                missedMax);
    }

    private HeartbeatMonitor(ScheduledExecutorService timer, long intervalMs, int missedMax) {
        this.timer = timer;
        configure(intervalMs, missedMax);
    }

    /** A monitor without a timer: the caller drives {@link #tick(long)}. */
    static HeartbeatMonitor manual(long intervalMs, int missedMax) {
        return new HeartbeatMonitor(null, intervalMs, missedMax);
    }

    /** Changes the interval and the miss limit of every watched path; takes effect at the next tick. */
    public synchronized void configure(long intervalMs, int newMissedMax) {
        if (intervalMs < 1 || newMissedMax < 0) {
            throw new IllegalArgumentException("heartbeat interval must be >= 1 ms and missedMax >= 0, not "
                    + intervalMs + " ms and " + newMissedMax);
        }
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.missedMax = newMissedMax;
        if (timer != null) {
            if (ticking != null) {
                ticking.cancel(false);
            }
            // fixed delay, not fixed rate: a timer thread that got no CPU for a while must not catch up with a burst
            // of ticks, each of which would count a miss
            ticking = timer.scheduleWithFixedDelay(this::tickNow, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
        LOG.info(
                "RTRS heartbeat every {} ms; a path that misses more than {} in a row is dead",
                intervalMs,
                newMissedMax);
    }

    long intervalNanos() {
        return intervalNanos;
    }

    int missedMax() {
        return missedMax;
    }

    /** Watching the same path twice keeps the first watch. */
    @Override
    public void watch(HeartbeatPath path) {
        watches.computeIfAbsent(path, Watch::new);
    }

    @Override
    public void unwatch(HeartbeatPath path) {
        watches.remove(path);
    }

    int watched() {
        return watches.size();
    }

    private void tickNow() {
        try {
            tick(System.nanoTime());
        } catch (RuntimeException e) {
            // a failing path must not stop the heartbeat of every other
            LOG.error("RTRS heartbeat: tick failed", e);
        }
    }

    /** One interval's check of every watched path. */
    void tick(long now) {
        long interval = intervalNanos;
        int max = missedMax;
        if (lastTick != Long.MIN_VALUE && now - lastTick < interval / 2) {
            // too soon after the last tick to count as an interval without news
            return;
        }
        lastTick = now;
        for (Watch w : watches.values()) {
            HeartbeatPath path = w.path;
            long received = path.lastReceiveNanos();
            if (received != w.seenReceive) {
                w.seenReceive = received;
                w.misses = 0;
            } else {
                w.misses++;
            }
            measure(w);
            if (w.misses > max) {
                if (watches.remove(path, w)) {
                    String why = "nothing received for " + w.misses + " heartbeat intervals of "
                            + TimeUnit.NANOSECONDS.toMillis(interval) + " ms (last "
                            + TimeUnit.NANOSECONDS.toMillis(now - received) + " ms ago)";
                    LOG.warn("RTRS heartbeat: {} is dead: {}", path.describe(), why);
                    path.dead(why);
                }
                continue;
            }
            // a quiet path asks its peer for a sign of life; a scheduling delay of a quarter interval is tolerated
            boolean quiet = now - path.lastSendNanos() >= interval - interval / 4;
            if (quiet && w.heartbeatSentAt == 0 && path.sendHeartbeat()) {
                w.heartbeatSentAt = now;
            }
        }
    }

    private static void measure(Watch w) {
        if (w.heartbeatSentAt == 0) {
            return;
        }
        long ack = w.path.lastHeartbeatAckNanos();
        if (ack == 0 || ack - w.heartbeatSentAt < 0) {
            return;
        }
        long sample = ack - w.heartbeatSentAt;
        w.smoothedRtt = w.smoothedRtt < 0 ? sample : w.smoothedRtt + (sample - w.smoothedRtt) / 8;
        w.heartbeatSentAt = 0;
        w.path.roundTripNanos(w.smoothedRtt);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        watches.clear();
    }
}
