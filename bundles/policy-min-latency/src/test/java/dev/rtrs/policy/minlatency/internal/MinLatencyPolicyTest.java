package dev.rtrs.policy.minlatency.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.rtrs.test.support.FakePath;
import dev.rtrs.transport.MultipathPolicy.PathSelector;
import java.util.List;
import org.junit.jupiter.api.Test;

class MinLatencyPolicyTest {

    @Test
    void choosesTheLowestRoundTripTimeWhateverTheLoad() {
        PathSelector s = new MinLatencyPolicy().newSelector();
        List<FakePath> paths = List.of(new FakePath(0), new FakePath(1), new FakePath(2));
        paths.get(0).latencyNanos(300_000);
        paths.get(1).latencyNanos(90_000);
        paths.get(1).inflight(20);
        paths.get(2).latencyNanos(120_000);
        for (int i = 0; i < 10; i++) {
            assertSame(paths.get(1), s.select(paths));
        }
    }

    @Test
    void amongEqualRoundTripTimesTheFewestInFlight() {
        PathSelector s = new MinLatencyPolicy().newSelector();
        List<FakePath> paths = List.of(new FakePath(0), new FakePath(1), new FakePath(2));
        for (FakePath p : paths) {
            p.latencyNanos(100_000);
        }
        paths.get(0).inflight(4);
        paths.get(1).inflight(1);
        paths.get(2).inflight(4);
        assertSame(paths.get(1), s.select(paths));
    }

    @Test
    void anUnmeasuredPathLosesToAMeasuredOneAndUnmeasuredPathsShareByLoad() {
        PathSelector s = new MinLatencyPolicy().newSelector();
        FakePath measured = new FakePath(0);
        FakePath unknown = new FakePath(1);
        measured.latencyNanos(5_000_000);
        measured.inflight(30);
        assertSame(measured, s.select(List.of(measured, unknown)));
        measured.latencyNanos(-1);
        int[] chosen = new int[2];
        measured.inflight(0);
        for (int i = 0; i < 10; i++) {
            chosen[s.select(List.of(measured, unknown)).index()]++;
        }
        assertEquals(5, chosen[0], "no measurement on either: min-inflight, spread over both");
    }
}
