package dev.rtrs.verbs.tcp.internal;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The queue-pair sockets of one IO thread, for what concerns all of them at once: one periodic check of their ACK
 * timeouts (one timer per IO thread however many sockets it owns; nothing per work request) and link faults.
 * IO thread only.
 */
final class SocketWatch {

    /** Checks come at least this far apart, however short an ACK timeout is. */
    static final long MIN_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A check this late (beyond its period) means the thread did not run: a GC pause, an overloaded host. */
    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final IoThread io;
    private final ArrayList<QueuePairSocket> sockets = new ArrayList<>();
    private final Runnable check = this::check;
    private IoThread.Timer timer;
    private long period;
    private long due;

    SocketWatch(IoThread io) {
        this.io = io;
    }

    void add(QueuePairSocket s) {
        if (s.watchIndex >= 0) {
            return;
        }
        s.watchIndex = sockets.size();
        sockets.add(s);
    }

    /** Removes {@code s} in constant time: the last socket takes its place. */
    void remove(QueuePairSocket s) {
        int i = s.watchIndex;
        if (i < 0) {
            return;
        }
        s.watchIndex = -1;
        QueuePairSocket last = sockets.remove(sockets.size() - 1);
        if (last != s) {
            sockets.set(i, last);
            last.watchIndex = i;
        }
    }

    /** A socket whose ACK timeout needs a check every {@code periodNanos} was established. */
    void ackTimerStarted(long periodNanos) {
        long p = Math.max(MIN_PERIOD_NANOS, periodNanos);
        if (timer != null && period <= p) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        schedule(p);
    }

    private void schedule(long p) {
        period = p;
        due = System.nanoTime() + p;
        timer = io.schedule(p, check);
    }

    private void check() {
        timer = null;
        long now = System.nanoTime();
        // a check far behind its time means this thread (or the whole process) stalled: the silence it would
        // measure is ours, not the peer's, so the sockets restart their timers instead of failing
        boolean stalled = now - due > Math.max(period, STALL_NANOS);
        long next = Long.MAX_VALUE;
        // backwards: a socket that fails here leaves the list, and only sockets already checked move
        for (int i = sockets.size() - 1; i >= 0; i--) {
            if (i < sockets.size()) {
                next = Math.min(next, sockets.get(i).checkAckTimeout(now, stalled));
            }
        }
        if (next != Long.MAX_VALUE) {
            schedule(Math.max(MIN_PERIOD_NANOS, next));
        }
    }

    /** The silenced addresses changed: every socket starts or stops its IO accordingly. */
    void applyFaults() {
        for (int i = sockets.size() - 1; i >= 0; i--) {
            if (i < sockets.size()) {
                sockets.get(i).applyFaults();
            }
        }
    }
}
