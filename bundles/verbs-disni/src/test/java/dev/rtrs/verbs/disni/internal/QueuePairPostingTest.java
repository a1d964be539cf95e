package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ibm.disni.verbs.IbvRecvWR;
import com.ibm.disni.verbs.IbvSendWR;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a queue pair hands to DiSNI when work requests are posted, and what it refuses. */
class QueuePairPostingTest {

    private QueuePairFixture fixture;
    private DisniQueuePair qp;

    @BeforeEach
    void setUp() {
        CompletionQueue cq = QueuePairFixture.queue("cq");
        fixture = new QueuePairFixture(7, cq, cq, 4, 2);
        qp = fixture.qp;
    }

    @Test
    void sendsWaitForTheConnectionButReceivesMayBePostedInInit() throws Exception {
        assertEquals(QpState.INIT, qp.state());
        VerbsException e =
                assertThrows(VerbsException.class, () -> qp.postSend(new SendWorkRequest().reset(1, SendOpcode.SEND)));
        assertEquals(Errno.ENOTCONN, e.errno());
        assertTrue(fixture.sendCalls.isEmpty());

        qp.postReceive(
                new ReceiveWorkRequest(2).reset(42).addSge(0x7000, 512, 0x11).addSge(0x9000, 64, 0x12));
        assertEquals(1, fixture.receiveCalls.size());
        IbvRecvWR posted = fixture.receiveCalls.get(0).wrs.get(0);
        assertEquals(42, posted.getWr_id());
        assertEquals(2, posted.getNum_sge());
        assertEquals(0x9000, posted.getSg_list().get(1).getAddr());
        assertEquals(64, posted.getSg_list().get(1).getLength());
        assertEquals(0x12, posted.getSg_list().get(1).getLkey());
        assertEquals(1, fixture.receiveCalls.get(0).executions);
    }

    @Test
    void rdmaWriteWithImmediateIsTranslatedFieldByField() throws Exception {
        qp.established();
        SendWorkRequest wr = new SendWorkRequest(2)
                .reset(99, SendOpcode.RDMA_WRITE_WITH_IMM)
                .flags(SendWorkRequest.SIGNALED | SendWorkRequest.FENCE)
                .addSge(0x1000, 100, 5)
                .addSge(0x2000, 28, 6)
                .remote(0xABCDEF00L, 0x77)
                .immediate(0x01020304);
        qp.postSend(wr);

        IbvSendWR posted = fixture.sendCalls.get(0).wrs.get(0);
        assertEquals(99, posted.getWr_id());
        assertEquals(IbvSendWR.IBV_WR_RDMA_WRITE_WITH_IMM, posted.getOpcode());
        assertEquals(IbvSendWR.IBV_SEND_SIGNALED | IbvSendWR.IBV_SEND_FENCE, posted.getSend_flags());
        int expectedImm = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0x04030201 : 0x01020304;
        assertEquals(expectedImm, posted.getImm_data());
        assertEquals(0xABCDEF00L, posted.getRdma().getRemote_addr());
        assertEquals(0x77, posted.getRdma().getRkey());
        assertEquals(2, posted.getNum_sge());
        assertEquals(0x1000, posted.getSge(0).getAddr());
        assertEquals(28, posted.getSge(1).getLength());
        assertEquals(6, posted.getSge(1).getLkey());
        assertEquals(1, fixture.sendCalls.get(0).executions);
    }

    @Test
    void theSameShapeReusesThePreparedCallWithNewFields() throws Exception {
        qp.established();
        SendWorkRequest wr = new SendWorkRequest(1);
        qp.postSend(wr.reset(1, SendOpcode.RDMA_WRITE).addSge(0x1000, 10, 1).remote(0x5000, 3));
        qp.postSend(wr.reset(2, SendOpcode.RDMA_WRITE)
                .flags(0)
                .addSge(0x3000, 30, 2)
                .remote(0x8000, 4));

        assertEquals(1, fixture.sendCalls.size(), "prepared once");
        RecordingPostSend call = fixture.sendCalls.get(0);
        assertEquals(2, call.executions);
        IbvSendWR posted = call.wrs.get(0);
        assertEquals(2, posted.getWr_id());
        assertEquals(0, posted.getSend_flags());
        assertEquals(0x8000, posted.getRdma().getRemote_addr());
        assertEquals(4, posted.getRdma().getRkey());
        assertEquals(0x3000, posted.getSge(0).getAddr());
        assertEquals(30, posted.getSge(0).getLength());
        assertEquals(2, posted.getSge(0).getLkey());
    }

    @Test
    void aDifferentImmediateOrOpcodeNeedsANewCall() throws Exception {
        qp.established();
        SendWorkRequest wr = new SendWorkRequest(1);
        qp.postSend(wr.reset(1, SendOpcode.SEND_WITH_IMM).flags(0).immediate(1));
        qp.postSend(wr.reset(2, SendOpcode.SEND_WITH_IMM).flags(0).immediate(2));
        qp.postSend(wr.reset(3, SendOpcode.SEND).flags(0));
        assertEquals(3, fixture.sendCalls.size());
        assertEquals(IbvSendWR.IBV_WR_SEND, fixture.sendCalls.get(2).wrs.get(0).getOpcode());
        assertEquals(0, fixture.sendCalls.get(2).wrs.get(0).getImm_data());
    }

    @Test
    void verbsDisniCannotExpressFailAtPostTimeWithEopnotsupp() throws Exception {
        qp.established();
        for (SendOpcode opcode : new SendOpcode[] {SendOpcode.LOCAL_INV, SendOpcode.SEND_WITH_INV, SendOpcode.REG_MR}) {
            VerbsException e = assertThrows(
                    VerbsException.class,
                    () -> qp.postSend(new SendWorkRequest().reset(1, opcode).invalidate(0x42)));
            assertEquals(Errno.EOPNOTSUPP, e.errno(), opcode.name());
        }
        assertTrue(fixture.sendCalls.isEmpty(), "nothing reached DiSNI");
    }

    @Test
    void aBatchPostsItsGoodPrefixInOneCallThenReportsTheRefusal() throws Exception {
        qp.established();
        SendWorkRequest[] batch = {
            new SendWorkRequest().reset(1, SendOpcode.SEND).flags(0),
            new SendWorkRequest()
                    .reset(2, SendOpcode.RDMA_READ)
                    .addSge(0x10, 8, 1)
                    .remote(0x20, 2),
            new SendWorkRequest().reset(3, SendOpcode.LOCAL_INV).invalidate(9),
            new SendWorkRequest().reset(4, SendOpcode.SEND)
        };
        VerbsException e = assertThrows(VerbsException.class, () -> qp.postSend(batch, 4));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        assertEquals(1, fixture.sendCalls.size());
        RecordingPostSend call = fixture.sendCalls.get(0);
        assertEquals(2, call.wrs.size());
        assertEquals(1, call.executions);
        assertEquals(IbvSendWR.IBV_WR_RDMA_READ, call.wrs.get(1).getOpcode());
    }

    @Test
    void tooManyEntriesAreInvalid() throws Exception {
        qp.established();
        SendWorkRequest wr = new SendWorkRequest(3)
                .reset(1, SendOpcode.SEND)
                .addSge(1, 1, 1)
                .addSge(2, 1, 1)
                .addSge(3, 1, 1);
        assertEquals(
                Errno.EINVAL,
                assertThrows(VerbsException.class, () -> qp.postSend(wr)).errno());
        ReceiveWorkRequest rwr = new ReceiveWorkRequest(3)
                .reset(1)
                .addSge(1, 1, 1)
                .addSge(2, 1, 1)
                .addSge(3, 1, 1);
        assertEquals(
                Errno.EINVAL,
                assertThrows(VerbsException.class, () -> qp.postReceive(rwr)).errno());
    }

    @Test
    void postingBeyondTheQueueSizeFailsWithEnomem() throws Exception {
        qp.established();
        SendWorkRequest wr = new SendWorkRequest().reset(1, SendOpcode.SEND).flags(0);
        for (int i = 0; i < 4; i++) {
            qp.postSend(wr);
        }
        assertEquals(
                Errno.ENOMEM,
                assertThrows(VerbsException.class, () -> qp.postSend(wr)).errno());
        assertEquals(4, fixture.sendCalls.get(0).executions);

        ReceiveWorkRequest rwr = new ReceiveWorkRequest().reset(5);
        ReceiveWorkRequest[] five = {rwr, rwr, rwr, rwr, rwr};
        VerbsException e = assertThrows(VerbsException.class, () -> qp.postReceive(five, 5));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(4, fixture.receiveCalls.get(0).wrs.size(), "the four that fit were posted as one batch");
    }

    @Test
    void aNativeFailureGivesItsErrnoAndFreesTheSlots() throws Exception {
        qp.established();
        fixture.failNextSend = "j2c::post_send: ibv_post_send failed: Cannot allocate memory\n";
        SendWorkRequest wr = new SendWorkRequest().reset(1, SendOpcode.SEND).flags(0);
        VerbsException e = assertThrows(VerbsException.class, () -> qp.postSend(wr));
        assertEquals(Errno.ENOMEM, e.errno());
        for (int i = 0; i < 4; i++) {
            qp.postSend(wr);
        }
        assertEquals(4, fixture.sendCalls.get(0).executions, "all four slots were free again");
    }

    @Test
    void theErrorStateAcceptsSendsForFlushing() throws Exception {
        qp.established();
        qp.toError();
        qp.established();
        assertEquals(QpState.ERROR, qp.state(), "an errored queue pair stays in error");
        qp.postSend(new SendWorkRequest().reset(1, SendOpcode.SEND));
        assertSame(QpState.ERROR, qp.state());
        assertEquals(1, fixture.sendCalls.get(0).executions);
    }
}
