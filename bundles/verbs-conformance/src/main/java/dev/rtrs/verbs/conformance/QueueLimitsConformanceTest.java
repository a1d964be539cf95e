package dev.rtrs.verbs.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bounded queues: posting beyond a queue fails with ENOMEM and never blocks; send-queue slots are freed by
 * send completions only (unsignaled requests by a later signaled one); a completion queue that overflows fails
 * its poll and its queue pairs; a receiver without receives makes the requester retry, then fail.
 */
public abstract class QueueLimitsConformanceTest extends VerbsConformanceSupport {

    @Test
    void postingBeyondTheSendQueueIsEnomem() throws Exception {
        assumeRetryingRequestsStayPending();
        Link link = connect(spec().sendQueue(4).receives(0, 0));
        MemoryRegion src = register(link.client, 64, 0);
        for (int i = 0; i < 4; i++) {
            link.client.qp.postSend(send(i, src, i, 1));
        }
        assertErrno(Errno.ENOMEM, () -> link.client.qp.postSend(send(4, src, 0, 1)));
        for (int i = 0; i < 4; i++) {
            link.server.postReceive(i);
        }
        List<WorkCompletion> done = awaitCompletions(link.client.cq, 4);
        for (int i = 0; i < 4; i++) {
            assertStatus(WcStatus.SUCCESS, done.get(i));
            assertEquals(i, done.get(i).wrId());
        }
        link.server.postReceive(4);
        link.client.qp.postSend(send(4, src, 0, 1));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.client.cq));
    }

    @Test
    void aSignaledCompletionFreesTheUnsignaledSlotsBeforeIt() throws Exception {
        Link link = connect(spec().sendQueue(4).receives(0, 16));
        MemoryRegion src = register(link.client, 64, 0);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3; i++) {
                link.client.qp.postSend(send(10 * round + i, src, 0, 4).flags(0));
            }
            link.client.qp.postSend(send(10 * round + 3, src, 0, 4));
            WorkCompletion wc = awaitCompletion(link.client.cq);
            assertStatus(WcStatus.SUCCESS, wc);
            assertEquals(10 * round + 3, wc.wrId(), "only the signaled request completes");
            assertEquals(4, awaitCompletions(link.server.cq, 4).size());
        }
        assertNoCompletion(link.client.cq, Duration.ofMillis(50));
    }

    @Test
    void unsignaledRequestsAloneNeverFreeTheirSlots() throws Exception {
        Link link = connect(spec().sendQueue(4).receives(0, 16));
        MemoryRegion src = register(link.client, 64, 0);
        for (int i = 0; i < 4; i++) {
            link.client.qp.postSend(send(i, src, 0, 4).flags(0));
        }
        List<WorkCompletion> got = awaitCompletions(link.server.cq, 4);
        for (WorkCompletion wc : got) {
            assertStatus(WcStatus.SUCCESS, wc);
        }
        assertErrno(Errno.ENOMEM, () -> link.client.qp.postSend(send(4, src, 0, 4)));
        assertNoCompletion(link.client.cq, Duration.ofMillis(50));
    }

    @Test
    void postingBeyondTheReceiveQueueIsEnomem() throws Exception {
        Link link = connect(spec().receiveQueue(4).receives(4, 0));
        assertErrno(Errno.ENOMEM, () -> link.client.postReceive(0));
    }

    @Test
    void aBatchOfReceivesStopsAtTheFullQueueAndKeepsWhatFitted() throws Exception {
        Link link = connect(spec().receiveQueue(4).receives(0, 0));
        ReceiveWorkRequest[] batch = new ReceiveWorkRequest[6];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new ReceiveWorkRequest().reset(i).addSge(link.server.receiveRegion, 0, 64);
        }
        VerbsException e = assertThrows(VerbsException.class, () -> link.server.qp.postReceive(batch, 6));
        assertEquals(Errno.ENOMEM, e.errno());
        MemoryRegion src = register(link.client, 64, 0);
        for (int i = 0; i < 4; i++) {
            link.client.qp.postSend(send(i, src, 0, 4));
        }
        List<WorkCompletion> got = awaitCompletions(link.server.cq, 4);
        for (int i = 0; i < 4; i++) {
            assertStatus(WcStatus.SUCCESS, got.get(i));
            assertEquals(i, got.get(i).wrId(), "the four receives that fitted, in order");
        }
    }

    @Test
    void aCompletionQueueOverrunFailsItsPollAndItsQueuePairs() throws Exception {
        Link link = connect(spec().serverCompletionQueue(2).receives(0, 4));
        MemoryRegion src = register(link.client, 64, 0);
        for (int i = 0; i < 3; i++) {
            link.client.qp.postSend(send(i, src, 0, 4));
        }
        awaitState(link.server.qp, QpState.ERROR);
        WorkCompletion[] batch = {new WorkCompletion(), new WorkCompletion()};
        assertErrno(Errno.EOVERFLOW, () -> link.server.cq.poll(batch));
    }

    @Test
    void aReceiverWithoutReceivesMakesTheRequestFailAfterItsRetries() throws Exception {
        Link link = connect(spec().receives(0, 0));
        MemoryRegion src = register(link.client, 64, 0);
        link.client.qp.postSend(send(1, src, 0, 8));
        WorkCompletion wc = awaitCompletions(link.client.cq, 1, rnrTimeout().plus(timeout()))
                .get(0);
        assertStatus(WcStatus.RNR_RETRY_EXCEEDED_ERROR, wc);
        assertEquals(1, wc.wrId());
        awaitState(link.client.qp, QpState.ERROR);
        link.client.qp.postSend(send(2, src, 0, 8));
        assertStatus(WcStatus.WR_FLUSH_ERROR, awaitCompletion(link.client.cq));
        assertEquals(QpState.READY_TO_SEND, link.server.qp.state(), "only the requester's queue pair fails");
    }

    @Test
    void aMessageLongerThanTheReceiveIsALocalLengthError() throws Exception {
        Link link = connect(spec().receiveSize(100).receives(0, 2));
        MemoryRegion src = register(link.client, 200, 0);
        link.client.qp.postSend(send(1, src, 0, 200));
        WorkCompletion got = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.LOCAL_LENGTH_ERROR, got);
        assertEquals(WcOpcode.RECV, got.opcode());
        assertEquals(0, got.wrId());
        assertFalse(awaitCompletion(link.client.cq).isSuccess());
        awaitState(link.server.qp, QpState.ERROR);
        assertStatus(WcStatus.WR_FLUSH_ERROR, awaitCompletion(link.server.cq));
    }

    @Test
    void queueSizesAboveTheDeviceLimitsAreEinval() throws Exception {
        Link link = connect();
        DeviceCapabilities caps = link.client.id.device().capabilities();
        CompletionQueue cq = link.client.cq;
        assertErrno(
                Errno.EINVAL,
                () -> link.server.id.createQueuePair(
                        link.server.pd, new QueuePairAttributes(cq, cq, caps.maxQueuePairWorkRequests() + 1, 4, 1, 1)));
        assertErrno(Errno.EINVAL, () -> device().createCompletionQueue(caps.maxCompletionQueueEntries() + 1, null));
    }

    @Test
    void tooManyScatterGatherEntriesAreEinval() throws Exception {
        Link link = connect();
        MemoryRegion src = register(link.client, 64, Access.LOCAL_WRITE);
        SendWorkRequest wr = new SendWorkRequest(8).reset(1, SendOpcode.SEND);
        for (int i = 0; i < 5; i++) {
            wr.addSge(src, i, 1);
        }
        assertErrno(Errno.EINVAL, () -> link.client.qp.postSend(wr));
        ReceiveWorkRequest rr = new ReceiveWorkRequest(8).reset(1);
        for (int i = 0; i < 5; i++) {
            rr.addSge(src, i, 1);
        }
        assertErrno(Errno.EINVAL, () -> link.client.qp.postReceive(rr));
        assertTrue(link.client.qp.state() == QpState.READY_TO_SEND, "a refused post changes nothing");
    }
}
