package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.ibm.disni.verbs.IbvRecvWR;
import com.ibm.disni.verbs.IbvSendWR;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class WorkRequestsTest {

    @Test
    void opcodesDisniHasMapToIbverbsValues() {
        assertEquals(0, WorkRequests.opcode(SendOpcode.RDMA_WRITE));
        assertEquals(1, WorkRequests.opcode(SendOpcode.RDMA_WRITE_WITH_IMM));
        assertEquals(2, WorkRequests.opcode(SendOpcode.SEND));
        assertEquals(3, WorkRequests.opcode(SendOpcode.SEND_WITH_IMM));
        assertEquals(4, WorkRequests.opcode(SendOpcode.RDMA_READ));
        assertEquals(WorkRequests.UNSUPPORTED, WorkRequests.opcode(SendOpcode.SEND_WITH_INV));
        assertEquals(WorkRequests.UNSUPPORTED, WorkRequests.opcode(SendOpcode.LOCAL_INV));
        assertEquals(WorkRequests.UNSUPPORTED, WorkRequests.opcode(SendOpcode.REG_MR));
    }

    @Test
    void sendFlagsAreRenumbered() {
        assertEquals(2, IbvSendWR.IBV_SEND_SIGNALED);
        assertEquals(IbvSendWR.IBV_SEND_SIGNALED, WorkRequests.sendFlags(SendWorkRequest.SIGNALED));
        assertEquals(IbvSendWR.IBV_SEND_SOLICITED, WorkRequests.sendFlags(SendWorkRequest.SOLICITED));
        assertEquals(IbvSendWR.IBV_SEND_FENCE, WorkRequests.sendFlags(SendWorkRequest.FENCE));
        assertEquals(0, WorkRequests.sendFlags(0));
        assertEquals(
                7,
                WorkRequests.sendFlags(SendWorkRequest.SIGNALED | SendWorkRequest.SOLICITED | SendWorkRequest.FENCE));
    }

    @Test
    void immediateDataSitsInNetworkOrderLikeIbverbsExpects() {
        int wire = WorkRequests.wireImmediate(0x11223344);
        // the int DiSNI writes in native order must read as big-endian 0x11223344 byte by byte
        ByteBuffer struct =
                ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, wire);
        assertEquals(0x11, struct.get(0));
        assertEquals(0x44, struct.get(3));
        assertEquals(0x11223344, WorkRequests.wireImmediate(wire), "the swap turns a received value back");
    }

    @Test
    void onlyImmediateOpcodesCarryImmediateData() {
        SendWorkRequest wr = new SendWorkRequest().reset(1, SendOpcode.SEND).immediate(5);
        assertEquals(0, WorkRequests.immediateOf(wr));
        wr.reset(1, SendOpcode.SEND_WITH_IMM).immediate(5);
        assertEquals(WorkRequests.wireImmediate(5), WorkRequests.immediateOf(wr));
    }

    @Test
    void aSendWithoutEntriesBecomesAnEmptyScatterGatherList() {
        IbvSendWR wr = WorkRequests.toIbvSendWR(new SendWorkRequest()
                .reset(3, SendOpcode.RDMA_WRITE_WITH_IMM)
                .flags(0)
                .remote(0x40, 9)
                .immediate(7));
        assertEquals(0, wr.getNum_sge());
        assertEquals(0, wr.getSg_list().size());
        assertEquals(0, wr.getSend_flags());
        assertEquals(9, wr.getRdma().getRkey());
        assertNotEquals(0, wr.getImm_data());
    }

    @Test
    void receivesKeepIdAndEntries() {
        IbvRecvWR wr =
                WorkRequests.toIbvRecvWR(new ReceiveWorkRequest(2).reset(77).addSge(0x10, 20, 30));
        assertEquals(77, wr.getWr_id());
        assertEquals(1, wr.getNum_sge());
        assertEquals(0x10, wr.getSg_list().getFirst().getAddr());
        assertEquals(20, wr.getSg_list().getFirst().getLength());
        assertEquals(30, wr.getSg_list().getFirst().getLkey());
        assertEquals(
                0, WorkRequests.toIbvRecvWR(new ReceiveWorkRequest().reset(1)).getNum_sge());
    }

    @Test
    void refusalsNameTheErrno() {
        SendWorkRequest inv =
                new SendWorkRequest().reset(1, SendOpcode.LOCAL_INV).invalidate(3);
        assertEquals(Errno.EOPNOTSUPP, WorkRequests.refusal(inv, 4, 4).errno());
        SendWorkRequest send =
                new SendWorkRequest(2).reset(1, SendOpcode.SEND).addSge(1, 1, 1).addSge(2, 2, 2);
        assertEquals(Errno.EINVAL, WorkRequests.refusal(send, 1, 4).errno());
        assertEquals(Errno.ENOMEM, WorkRequests.refusal(send, 2, 0).errno());
        assertNull(WorkRequests.refusal(send, 2, 1));
    }
}
