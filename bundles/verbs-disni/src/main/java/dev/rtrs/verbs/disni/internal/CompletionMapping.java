package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvWC;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;

/** DiSNI's completion statuses and opcodes (ibverbs values) onto the API's enums. */
final class CompletionMapping {

    /** ibverbs' {@code IBV_WC_WITH_IMM}: the completion carries immediate data. */
    static final int WC_WITH_IMM = 1 << 1;
    /** ibverbs' {@code IBV_WC_WITH_INV}: the peer's SEND_WITH_INV invalidated the rkey in the immediate field. */
    static final int WC_WITH_INV = 1 << 3;

    private static final WcStatus[] STATUS = new WcStatus[IbvWC.IbvWcStatus.values().length];

    static {
        for (IbvWC.IbvWcStatus s : IbvWC.IbvWcStatus.values()) {
            STATUS[s.ordinal()] = switch (s) {
                case IBV_WC_SUCCESS -> WcStatus.SUCCESS;
                case IBV_WC_LOC_LEN_ERR -> WcStatus.LOCAL_LENGTH_ERROR;
                // end-to-end contexts do not exist on RC; a QP operation error is the nearest
                case IBV_WC_LOC_QP_OP_ERR, IBV_WC_LOC_EEC_OP_ERR -> WcStatus.LOCAL_QP_OPERATION_ERROR;
                case IBV_WC_LOC_PROT_ERR, IBV_WC_MW_BIND_ERR, IBV_WC_LOC_RDD_VIOL_ERR ->
                    WcStatus.LOCAL_PROTECTION_ERROR;
                case IBV_WC_WR_FLUSH_ERR -> WcStatus.WR_FLUSH_ERROR;
                case IBV_WC_BAD_RESP_ERR -> WcStatus.BAD_RESPONSE_ERROR;
                case IBV_WC_LOC_ACCESS_ERR -> WcStatus.LOCAL_ACCESS_ERROR;
                case IBV_WC_REM_INV_REQ_ERR, IBV_WC_REM_INV_RD_REQ_ERR -> WcStatus.REMOTE_INVALID_REQUEST_ERROR;
                case IBV_WC_REM_ACCESS_ERR -> WcStatus.REMOTE_ACCESS_ERROR;
                case IBV_WC_REM_OP_ERR, IBV_WC_REM_ABORT_ERR -> WcStatus.REMOTE_OPERATION_ERROR;
                case IBV_WC_RETRY_EXC_ERR, IBV_WC_RESP_TIMEOUT_ERR -> WcStatus.RETRY_EXCEEDED_ERROR;
                case IBV_WC_RNR_RETRY_EXC_ERR -> WcStatus.RNR_RETRY_EXCEEDED_ERROR;
                case IBV_WC_FATAL_ERR, IBV_WC_INV_EECN_ERR, IBV_WC_INV_EEC_STATE_ERR -> WcStatus.FATAL_ERROR;
                case IBV_WC_GENERAL_ERR -> WcStatus.GENERAL_ERROR;
            };
        }
    }

    private CompletionMapping() {}

    /** The status for an {@code IbvWC.getStatus()} value; unknown values are general errors. */
    static WcStatus status(int raw) {
        return raw >= 0 && raw < STATUS.length ? STATUS[raw] : WcStatus.GENERAL_ERROR;
    }

    /**
     * The opcode of a successful completion from {@code IbvWC.getOpcode()}, or null for an opcode this API never
     * produces (atomics, memory windows) or does not know.
     */
    static WcOpcode opcode(int raw) {
        for (IbvWC.IbvWcOpcode o : IbvWC.IbvWcOpcode.values()) {
            if (o.getOpcode() == raw) {
                return switch (o) {
                    case IBV_WC_SEND -> WcOpcode.SEND;
                    case IBV_WC_RDMA_WRITE -> WcOpcode.RDMA_WRITE;
                    case IBV_WC_RDMA_READ -> WcOpcode.RDMA_READ;
                    case IBV_WC_RECV -> WcOpcode.RECV;
                    case IBV_WC_RECV_RDMA_WITH_IMM -> WcOpcode.RECV_RDMA_WITH_IMM;
                    case IBV_WC_COMP_SWAP, IBV_WC_FETCH_ADD, IBV_WC_BIND_MW -> null;
                };
            }
        }
        return null;
    }

    /** The completion opcode a posted send work request produces. */
    static WcOpcode completionOf(SendOpcode opcode) {
        return switch (opcode) {
            case RDMA_WRITE, RDMA_WRITE_WITH_IMM -> WcOpcode.RDMA_WRITE;
            case SEND, SEND_WITH_IMM, SEND_WITH_INV -> WcOpcode.SEND;
            case RDMA_READ -> WcOpcode.RDMA_READ;
            case LOCAL_INV -> WcOpcode.LOCAL_INV;
            case REG_MR -> WcOpcode.REG_MR;
        };
    }
}
