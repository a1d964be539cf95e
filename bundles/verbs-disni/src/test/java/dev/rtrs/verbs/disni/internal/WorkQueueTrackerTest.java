package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.verbs.SendOpcode;
import org.junit.jupiter.api.Test;

class WorkQueueTrackerTest {

    private final WorkQueueTracker tracker = new WorkQueueTracker(3);
    private final WorkQueueTracker.Completed out = new WorkQueueTracker.Completed();

    @Test
    void aSignaledCompletionFreesEverythingUpToIt() {
        tracker.add(1, SendOpcode.SEND, false, 10);
        tracker.add(2, SendOpcode.RDMA_WRITE, true, 20);
        tracker.add(3, SendOpcode.SEND, false, 30);
        assertEquals(0, tracker.free());
        assertThrows(IllegalStateException.class, () -> tracker.add(4, SendOpcode.SEND, true, 0));

        assertTrue(tracker.completeSignaled(out));
        assertEquals(2, out.wrId);
        assertEquals(SendOpcode.RDMA_WRITE, out.opcode);
        assertEquals(20, out.length);
        assertEquals(1, tracker.size());
        assertTrue(tracker.oldestIs(3));
        assertFalse(tracker.completeSignaled(out), "only unsignaled requests are left");
        assertTrue(tracker.isEmpty());
    }

    @Test
    void aFailedCompletionFreesOnlyTheOldest() {
        tracker.add(1, SendOpcode.SEND, false, 10);
        tracker.add(2, SendOpcode.RDMA_READ, false, 20);
        assertTrue(tracker.completeOldest(out));
        assertEquals(1, out.wrId);
        assertTrue(tracker.oldestIs(2));
        assertTrue(tracker.completeOldest(out));
        assertEquals(SendOpcode.RDMA_READ, out.opcode);
        assertFalse(tracker.completeOldest(out));
    }

    @Test
    void theRingWrapsAndRollsBack() {
        for (int round = 0; round < 5; round++) {
            tracker.add(round, null, true, round);
            tracker.add(round + 100, null, true, round);
            assertTrue(tracker.completeOldest(out));
            assertEquals(round, out.wrId);
            assertTrue(tracker.completeOldest(out));
            assertEquals(round + 100, out.wrId);
        }
        tracker.add(1, null, true, 0);
        tracker.add(2, null, true, 0);
        tracker.removeNewest(1);
        assertEquals(1, tracker.size());
        assertTrue(tracker.oldestIs(1));
        tracker.removeNewest(5);
        assertTrue(tracker.isEmpty());
        assertEquals(3, tracker.free());
    }
}
