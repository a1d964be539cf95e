package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.ibm.disni.verbs.IbvWC;
import com.ibm.disni.verbs.RdmaCmEvent;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import org.junit.jupiter.api.Test;

/** DiSNI's status, opcode and event numbers against the API's enums. */
class MappingTest {

    @Test
    void everyStatusDisniKnowsMapsAndSharedValuesKeepTheirIbverbsNumber() {
        for (IbvWC.IbvWcStatus s : IbvWC.IbvWcStatus.values()) {
            WcStatus mapped = CompletionMapping.status(s.ordinal());
            assertNotNull(mapped, s.name());
            WcStatus same = WcStatus.fromWire(s.ordinal());
            if (same != WcStatus.GENERAL_ERROR || s.ordinal() == 21) {
                assertEquals(same, mapped, s.name());
            }
        }
        assertEquals(WcStatus.SUCCESS, CompletionMapping.status(0));
        assertEquals(WcStatus.WR_FLUSH_ERROR, CompletionMapping.status(5));
        assertEquals(WcStatus.REMOTE_ACCESS_ERROR, CompletionMapping.status(10));
        assertEquals(WcStatus.RNR_RETRY_EXCEEDED_ERROR, CompletionMapping.status(13));
        assertEquals(WcStatus.LOCAL_PROTECTION_ERROR, CompletionMapping.status(6), "memory-window bind");
        assertEquals(WcStatus.REMOTE_OPERATION_ERROR, CompletionMapping.status(16), "remote abort");
        assertEquals(WcStatus.RETRY_EXCEEDED_ERROR, CompletionMapping.status(20), "response timeout");
        assertEquals(WcStatus.GENERAL_ERROR, CompletionMapping.status(22));
        assertEquals(WcStatus.GENERAL_ERROR, CompletionMapping.status(-1));
    }

    @Test
    void completionOpcodesUseIbverbsValues() {
        assertEquals(WcOpcode.SEND, CompletionMapping.opcode(0));
        assertEquals(WcOpcode.RDMA_WRITE, CompletionMapping.opcode(1));
        assertEquals(WcOpcode.RDMA_READ, CompletionMapping.opcode(2));
        assertNull(CompletionMapping.opcode(3), "compare-and-swap is never posted");
        assertNull(CompletionMapping.opcode(4));
        assertNull(CompletionMapping.opcode(5));
        assertEquals(WcOpcode.RECV, CompletionMapping.opcode(128));
        assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, CompletionMapping.opcode(129));
        assertNull(CompletionMapping.opcode(6));
    }

    @Test
    void postedOpcodesCompleteAsTheirFamily() {
        assertEquals(WcOpcode.RDMA_WRITE, CompletionMapping.completionOf(SendOpcode.RDMA_WRITE_WITH_IMM));
        assertEquals(WcOpcode.SEND, CompletionMapping.completionOf(SendOpcode.SEND_WITH_IMM));
        assertEquals(WcOpcode.SEND, CompletionMapping.completionOf(SendOpcode.SEND_WITH_INV));
        assertEquals(WcOpcode.RDMA_READ, CompletionMapping.completionOf(SendOpcode.RDMA_READ));
        assertEquals(WcOpcode.LOCAL_INV, CompletionMapping.completionOf(SendOpcode.LOCAL_INV));
        assertEquals(WcOpcode.REG_MR, CompletionMapping.completionOf(SendOpcode.REG_MR));
    }

    @Test
    void cmEventsFollowLibrdmacmNumbering() {
        CmEventType[] expected = {
            CmEventType.ADDR_RESOLVED,
            CmEventType.ADDR_ERROR,
            CmEventType.ROUTE_RESOLVED,
            CmEventType.ROUTE_ERROR,
            CmEventType.CONNECT_REQUEST,
            null,
            CmEventType.CONNECT_ERROR,
            CmEventType.UNREACHABLE,
            CmEventType.REJECTED,
            CmEventType.ESTABLISHED,
            CmEventType.DISCONNECTED,
            CmEventType.DEVICE_REMOVAL,
            null,
            null,
            null,
            null
        };
        assertEquals(expected.length, RdmaCmEvent.EventType.values().length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], CmEventMapping.type(i), RdmaCmEvent.EventType.values()[i].name());
        }
        assertEquals(RdmaCmEvent.EventType.RDMA_CM_EVENT_ESTABLISHED.ordinal(), 9);
        assertNull(CmEventMapping.type(16));
        assertNull(CmEventMapping.type(-1));
    }

    @Test
    void errorEventsCarryTheErrnoRdmaCmReports() {
        assertEquals(Errno.ECONNREFUSED, CmEventMapping.status(CmEventType.REJECTED));
        assertEquals(Errno.ETIMEDOUT, CmEventMapping.status(CmEventType.UNREACHABLE));
        assertEquals(Errno.EHOSTUNREACH, CmEventMapping.status(CmEventType.ADDR_ERROR));
        assertEquals(Errno.ENETUNREACH, CmEventMapping.status(CmEventType.ROUTE_ERROR));
        assertEquals(Errno.ECONNABORTED, CmEventMapping.status(CmEventType.CONNECT_ERROR));
        assertEquals(Errno.ENODEV, CmEventMapping.status(CmEventType.DEVICE_REMOVAL));
        assertEquals(0, CmEventMapping.status(CmEventType.ESTABLISHED));
        assertEquals(0, CmEventMapping.status(CmEventType.DISCONNECTED));
    }
}
