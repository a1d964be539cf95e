package dev.rtrs.policy.mininflight.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.rtrs.test.support.FakePath;
import dev.rtrs.transport.MultipathPolicy.PathSelector;
import java.util.List;
import org.junit.jupiter.api.Test;

class MinInflightPolicyTest {

    @Test
    void choosesThePathWithTheFewestIosInFlight() {
        PathSelector s = new MinInflightPolicy().newSelector();
        List<FakePath> paths = List.of(new FakePath(0), new FakePath(1), new FakePath(2));
        paths.get(0).inflight(5);
        paths.get(1).inflight(2);
        paths.get(2).inflight(9);
        for (int i = 0; i < 10; i++) {
            assertSame(paths.get(1), s.select(paths));
        }
    }

    @Test
    void equallyLoadedPathsGoToTheFirstAsInTheKernel() {
        PathSelector s = new MinInflightPolicy().newSelector();
        List<FakePath> paths = List.of(new FakePath(0), new FakePath(1));
        for (int i = 0; i < 10; i++) {
            assertSame(paths.get(0), s.select(paths), "an idle session keeps to its first path");
        }
        paths.get(0).inflight(1);
        assertSame(paths.get(1), s.select(paths), "a busy first path sends the next IO to the second");
    }

    @Test
    void aSlowPathWhoseIoPilesUpGetsNoMore() {
        PathSelector s = new MinInflightPolicy().newSelector();
        FakePath slow = new FakePath(0);
        FakePath fast = new FakePath(1);
        List<FakePath> paths = List.of(slow, fast);
        // each choice adds an IO; the fast path finishes its IO at once, the slow one never
        for (int i = 0; i < 100; i++) {
            FakePath p = (FakePath) s.select(paths);
            if (p == slow) {
                slow.inflight(slow.inflight() + 1);
            }
        }
        assertEquals(1, slow.inflight(), "after one IO stuck on it the slow path is avoided");
    }

    @Test
    void afterAFailureTheLeastLoadedOtherPath() {
        PathSelector s = new MinInflightPolicy().newSelector();
        FakePath a = new FakePath(1);
        FakePath b = new FakePath(2);
        a.inflight(3);
        assertSame(b, s.selectAfterFailure(new FakePath(0), List.of(a, b)));
    }
}
