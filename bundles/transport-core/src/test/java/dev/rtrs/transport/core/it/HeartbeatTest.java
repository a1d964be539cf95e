package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.rtrs.heartbeat.internal.HeartbeatMonitor;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;

/** Heartbeats between a real client and server: no false alarm on idle or busy paths, and round-trip times. */
@Timeout(60)
class HeartbeatTest {

    @Test
    void idlePathsStayConnectedAndLearnTheirRoundTripTime() throws Exception {
        try (Fixture f = new Fixture(true); HeartbeatMonitor monitor = new HeartbeatMonitor(50, 2)) {
            f.transport.setHeartbeat(monitor);
            ClientSession s = f.open("idle", "127.0.0.1", "127.0.0.1");
            Thread.sleep(1_500);
            for (PathInfo p : s.paths()) {
                PathStatistics st = p.statistics();
                assertEquals(0, st.reconnectsSuccessful() + st.reconnectsFailed(), "no false alarm on " + p);
                assertTrue(p.roundTripNanos() > 0 && p.roundTripNanos() < TimeUnit.SECONDS.toNanos(1),
                        "a round-trip time was measured: " + p);
            }
            assertTrue(f.server.sessions().get(0).paths().size() == 2, "the server kept both paths");
            assertTrue(f.server.sessions().get(0).paths().stream().allMatch(p -> p.roundTripNanos() > 0),
                    "the server measures its paths too");
        }
    }

    @Test
    void busyPathsStayConnected() throws Exception {
        try (Fixture f = new Fixture(true); HeartbeatMonitor monitor = new HeartbeatMonitor(50, 2)) {
            f.transport.setHeartbeat(monitor);
            ClientSession s = f.open("busy", "127.0.0.1", "127.0.0.1");
            try (VerifiedLoad load = new VerifiedLoad(s, 8, 64, 20_000)) {
                Thread.sleep(1_500);
                load.finish();
                assertEquals(0, load.errors.get() + load.mismatches.get(), load.summary());
            }
            for (PathInfo p : s.paths()) {
                PathStatistics st = p.statistics();
                assertEquals(0, st.reconnectsSuccessful() + st.reconnectsFailed(), "no false alarm on " + p);
            }
        }
    }
}
