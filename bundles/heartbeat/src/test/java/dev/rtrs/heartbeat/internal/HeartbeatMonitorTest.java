package dev.rtrs.heartbeat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.transport.HeartbeatPath;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HeartbeatMonitorTest {

    private static final long MS = 1_000_000L;

    /** A path whose traffic the test sets by hand. */
    static final class FakePath implements HeartbeatPath {
        volatile long lastReceive;
        volatile long lastSend;
        volatile long lastAck;
        volatile long rtt = -1;
        volatile int heartbeats;
        volatile String dead;
        volatile boolean canSend = true;
        final CountDownLatch died = new CountDownLatch(1);

        @Override
        public String describe() {
            return "fake path";
        }

        @Override
        public long lastReceiveNanos() {
            return lastReceive;
        }

        @Override
        public long lastSendNanos() {
            return lastSend;
        }

        @Override
        public boolean sendHeartbeat() {
            if (!canSend) {
                return false;
            }
            heartbeats++;
            return true;
        }

        @Override
        public long lastHeartbeatAckNanos() {
            return lastAck;
        }

        @Override
        public void roundTripNanos(long smoothed) {
            rtt = smoothed;
        }

        @Override
        public void dead(String reason) {
            dead = reason;
            died.countDown();
        }
    }

    @Test
    void aSilentPathIsDeadAfterMoreThanMissedMaxIntervalsWithoutReceiving() {
        HeartbeatMonitor m = HeartbeatMonitor.manual(100, 3);
        FakePath p = new FakePath();
        p.lastReceive = 1;
        m.watch(p);
        for (int tick = 1; tick <= 3; tick++) {
            m.tick(tick * 100 * MS);
            assertNull(p.dead, "alive after " + tick + " misses");
        }
        m.tick(400 * MS);
        assertTrue(p.dead != null && p.dead.contains("4 heartbeat intervals"), p.dead);
        assertEquals(0, m.watched(), "a dead path is no longer watched");
        assertEquals(1, p.heartbeats, "one heartbeat outstanding at a time");
    }

    @Test
    void anythingReceivedStartsTheCountAgain() {
        HeartbeatMonitor m = HeartbeatMonitor.manual(100, 2);
        FakePath p = new FakePath();
        m.watch(p);
        for (int tick = 1; tick <= 50; tick++) {
            if (tick % 3 == 0) {
                p.lastReceive = tick * 100 * MS - 1;
            }
            m.tick(tick * 100 * MS);
            assertNull(p.dead, "tick " + tick);
        }
    }

    @Test
    void aBusyPathSendsNoHeartbeatAndAQuietOneDoes() {
        HeartbeatMonitor m = HeartbeatMonitor.manual(100, 3);
        FakePath p = new FakePath();
        m.watch(p);
        for (int tick = 1; tick <= 10; tick++) {
            long now = tick * 100 * MS;
            p.lastSend = now - 10 * MS;
            p.lastReceive = now - 5 * MS;
            m.tick(now);
        }
        assertEquals(0, p.heartbeats, "IO traffic is sign of life enough");
        p.lastReceive = 1_095 * MS;
        m.tick(1_200 * MS);
        assertEquals(1, p.heartbeats, "quiet for an interval: a heartbeat");
    }

    @Test
    void theAcknowledgementGivesTheSmoothedRoundTripTime() {
        HeartbeatMonitor m = HeartbeatMonitor.manual(100, 3);
        FakePath p = new FakePath();
        m.watch(p);
        m.tick(100 * MS);
        assertEquals(1, p.heartbeats);
        p.lastAck = 100 * MS + 800_000;
        p.lastReceive = p.lastAck;
        p.lastSend = 100 * MS;
        m.tick(200 * MS);
        assertEquals(800_000, p.rtt, "first sample as it is");
        assertEquals(2, p.heartbeats, "the next heartbeat once the last one is answered");
        p.lastAck = 200 * MS + 1_600_000;
        p.lastReceive = p.lastAck;
        p.lastSend = 200 * MS;
        m.tick(300 * MS);
        assertEquals(800_000 + (1_600_000 - 800_000) / 8, p.rtt, "then 7/8 old and 1/8 new");
    }

    @Test
    void aPathThatCannotSendIsAskedAgainAtTheNextTick() {
        HeartbeatMonitor m = HeartbeatMonitor.manual(100, 5);
        FakePath p = new FakePath();
        p.canSend = false;
        m.watch(p);
        m.tick(100 * MS);
        p.canSend = true;
        m.tick(200 * MS);
        assertEquals(1, p.heartbeats);
    }

    @Test
    void watchingTwiceKeepsOneWatchAndUnwatchedPathsAreLeftAlone() {
        HeartbeatMonitor m = HeartbeatMonitor.manual(100, 0);
        FakePath p = new FakePath();
        m.watch(p);
        m.watch(p);
        assertEquals(1, m.watched());
        m.unwatch(p);
        m.tick(100 * MS);
        m.tick(200 * MS);
        assertNull(p.dead);
        assertEquals(0, p.heartbeats);
    }

    @Test
    void badSettingsAreRefusedAndTheOldOnesKept() {
        HeartbeatMonitor m = HeartbeatMonitor.manual(100, 3);
        assertThrows(IllegalArgumentException.class, () -> m.configure(0, 3));
        assertThrows(IllegalArgumentException.class, () -> m.configure(100, -1));
        assertEquals(100 * MS, m.intervalNanos());
        assertEquals(3, m.missedMax());
        m.configure(50, 7);
        assertEquals(50 * MS, m.intervalNanos());
        assertEquals(7, m.missedMax());
    }

    @Test
    void theTimerDeclaresASilentPathDeadInRealTime() throws Exception {
        try (HeartbeatMonitor m = new HeartbeatMonitor(20, 2)) {
            FakePath p = new FakePath();
            p.lastReceive = System.nanoTime();
            long start = System.nanoTime();
            m.watch(p);
            assertTrue(p.died.await(5, TimeUnit.SECONDS), "declared dead");
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 50, "not before (missedMax + 1) intervals: " + took + " ms");
        }
    }
}
