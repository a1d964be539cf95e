package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ibm.disni.verbs.IbvWC;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import org.junit.jupiter.api.Test;

/** Polled DiSNI completions as the API's, and the queue slots they free. */
class CompletionTranslatorTest {

    private final CompletionQueue cq = QueuePairFixture.queue("cq");
    private final QueuePairFixture fixture = new QueuePairFixture(7, cq, cq, 4, 2);
    private final DisniQueuePair qp = fixture.qp;
    private final DisniQueuePair[] qps = {qp};
    private final CompletionTranslator translator = new CompletionTranslator(cq);
    private final WorkCompletion out = new WorkCompletion();

    private static IbvWC wc(long wrId, int status, int opcode, int qpNumber) {
        IbvWC wc = new IbvWC();
        wc.setWr_id(wrId);
        wc.setStatus(status);
        wc.setOpcode(opcode);
        wc.setQp_num(qpNumber);
        return wc;
    }

    @Test
    void aSignaledSendFreesItselfAndTheUnsignaledBeforeIt() throws Exception {
        qp.established();
        qp.postSend(new SendWorkRequest().reset(1, SendOpcode.SEND).flags(0).addSge(0, 10, 1));
        qp.postSend(new SendWorkRequest().reset(2, SendOpcode.SEND).flags(0).addSge(0, 20, 1));
        qp.postSend(new SendWorkRequest()
                .reset(3, SendOpcode.RDMA_WRITE)
                .addSge(0, 300, 1)
                .remote(8, 9));
        qp.postSend(new SendWorkRequest().reset(4, SendOpcode.SEND).flags(0));

        assertTrue(translator.translate(wc(3, 0, 1, 7), out, qps));
        assertEquals(3, out.wrId());
        assertEquals(WcStatus.SUCCESS, out.status());
        assertEquals(WcOpcode.RDMA_WRITE, out.opcode());
        assertEquals(300, out.byteLength(), "a send reports the length it posted");
        assertSame(qp, out.queuePair());
        // three slots freed: three more sends fit beside the one still outstanding
        SendWorkRequest more = new SendWorkRequest().reset(5, SendOpcode.SEND).flags(0);
        qp.postSend(more);
        qp.postSend(more);
        qp.postSend(more);
        assertEquals(7, fixture.sendCalls.stream().mapToInt(c -> c.executions).sum());
    }

    @Test
    void receivesCarryLengthAndImmediateInHostOrder() throws Exception {
        qp.postReceive(new ReceiveWorkRequest().reset(9));
        IbvWC wc = wc(9, 0, 129, 7);
        wc.setByte_len(4096);
        wc.setWc_flags(CompletionMapping.WC_WITH_IMM);
        wc.setImm_data(WorkRequests.wireImmediate(0xCAFE0001));

        assertTrue(translator.translate(wc, out, qps));
        assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, out.opcode());
        assertEquals(4096, out.byteLength());
        assertTrue(out.hasImmediate());
        assertEquals(0xCAFE0001, out.immediateData());
        assertFalse(out.hasInvalidate());
    }

    @Test
    void aReceiveReportsTheRkeyTheSenderInvalidated() throws Exception {
        qp.postReceive(new ReceiveWorkRequest().reset(10));
        IbvWC wc = wc(10, 0, 128, 7);
        wc.setByte_len(64);
        wc.setWc_flags(CompletionMapping.WC_WITH_INV);
        wc.setImm_data(0x1234);

        assertTrue(translator.translate(wc, out, qps));
        assertEquals(WcOpcode.RECV, out.opcode());
        assertTrue(out.hasInvalidate());
        assertEquals(0x1234, out.invalidatedRkey());
        assertFalse(out.hasImmediate());
    }

    @Test
    void failedCompletionsAreAttributedByTheOldestOutstandingRequest() throws Exception {
        qp.established();
        qp.postSend(new SendWorkRequest()
                .reset(5, SendOpcode.RDMA_READ)
                .flags(0)
                .addSge(0, 64, 1)
                .remote(1, 2));
        qp.postReceive(new ReceiveWorkRequest().reset(6));

        // DiSNI leaves qp_num and opcode of a failed completion stale
        assertTrue(translator.translate(wc(6, 5, 0, 999), out, qps));
        assertEquals(WcStatus.WR_FLUSH_ERROR, out.status());
        assertEquals(WcOpcode.RECV, out.opcode());
        assertSame(qp, out.queuePair());
        assertEquals(QpState.ERROR, qp.state());

        assertTrue(translator.translate(wc(5, 10, 0, 999), out, qps));
        assertEquals(WcStatus.REMOTE_ACCESS_ERROR, out.status());
        assertEquals(WcOpcode.RDMA_READ, out.opcode(), "taken from the posted request");
        assertEquals(0, out.byteLength());

        assertFalse(translator.translate(wc(11, 5, 0, 999), out, qps), "nothing outstanding: dropped");
    }

    @Test
    void onSeparateQueuesAFailureGoesToTheSideOfThePolledQueue() throws Exception {
        CompletionQueue sendCq = QueuePairFixture.queue("send");
        CompletionQueue receiveCq = QueuePairFixture.queue("receive");
        QueuePairFixture split = new QueuePairFixture(8, sendCq, receiveCq, 4, 1);
        split.qp.established();
        split.qp.postSend(new SendWorkRequest().reset(1, SendOpcode.SEND));
        split.qp.postReceive(new ReceiveWorkRequest().reset(1));

        assertTrue(new CompletionTranslator(receiveCq).translate(wc(1, 5, 0, 0), out, new DisniQueuePair[] {split.qp}));
        assertEquals(WcOpcode.RECV, out.opcode());
        assertTrue(new CompletionTranslator(sendCq).translate(wc(1, 5, 0, 0), out, new DisniQueuePair[] {split.qp}));
        assertEquals(WcOpcode.SEND, out.opcode());
    }

    @Test
    void completionsOfAnUnknownQueuePairAreDropped() throws Exception {
        qp.postReceive(new ReceiveWorkRequest().reset(1));
        assertFalse(translator.translate(wc(1, 0, 128, 12), out, qps));
        assertFalse(translator.translate(wc(1, 0, 128, 7), out, new DisniQueuePair[0]));
    }
}
