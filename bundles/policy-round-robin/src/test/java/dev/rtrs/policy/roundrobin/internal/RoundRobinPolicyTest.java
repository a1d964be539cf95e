package dev.rtrs.policy.roundrobin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.rtrs.test.support.FakePath;
import dev.rtrs.transport.MultipathPolicy.PathSelector;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinPolicyTest {

    @Test
    void takesEachPathInTurnWhateverItsLoad() {
        PathSelector s = new RoundRobinPolicy().newSelector();
        List<FakePath> paths = List.of(new FakePath(0), new FakePath(1), new FakePath(2));
        paths.get(0).inflight(50);
        int[] chosen = new int[3];
        for (int i = 0; i < 300; i++) {
            chosen[s.select(paths).index()]++;
        }
        assertEquals(100, chosen[0]);
        assertEquals(100, chosen[1]);
        assertEquals(100, chosen[2]);
    }

    @Test
    void aShrinkingListOfPathsIsNoProblem() {
        PathSelector s = new RoundRobinPolicy().newSelector();
        List<FakePath> three = List.of(new FakePath(0), new FakePath(1), new FakePath(2));
        s.select(three);
        s.select(three);
        List<FakePath> one = List.of(three.get(1));
        assertSame(three.get(1), s.select(one));
    }

    @Test
    void afterAFailureTheNextOtherPath() {
        PathSelector s = new RoundRobinPolicy().newSelector();
        FakePath failed = new FakePath(0);
        FakePath other = new FakePath(1);
        assertSame(other, s.selectAfterFailure(failed, List.of(other)));
    }
}
