package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvRecvWR;
import com.ibm.disni.verbs.IbvSendWR;
import com.ibm.disni.verbs.IbvSge;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.ScatterGatherEntry;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import java.nio.ByteOrder;
import java.util.LinkedList;

/** The API's work requests as DiSNI's {@link IbvSendWR} and {@link IbvRecvWR} values. */
final class WorkRequests {

    /** DiSNI's value for opcodes it cannot express (LOCAL_INV, SEND_WITH_INV, REG_MR). */
    static final int UNSUPPORTED = -1;

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private WorkRequests() {}

    /** The {@code IbvSendWR.IBV_WR_*} opcode, or {@link #UNSUPPORTED}. */
    static int opcode(SendOpcode opcode) {
        return switch (opcode) {
            case RDMA_WRITE -> IbvSendWR.IBV_WR_RDMA_WRITE;
            case RDMA_WRITE_WITH_IMM -> IbvSendWR.IBV_WR_RDMA_WRITE_WITH_IMM;
            case SEND -> IbvSendWR.IBV_WR_SEND;
            case SEND_WITH_IMM -> IbvSendWR.IBV_WR_SEND_WITH_IMM;
            case RDMA_READ -> IbvSendWR.IBV_WR_RDMA_READ;
            case SEND_WITH_INV, LOCAL_INV, REG_MR -> UNSUPPORTED;
        };
    }

    /**
     * Why a send request cannot be posted, or null.
     *
     * @param maxSge the send queue's entries per request
     * @param free   send-queue slots left for it
     */
    static VerbsException refusal(SendWorkRequest wr, int maxSge, int free) {
        if (opcode(wr.opcode()) == UNSUPPORTED) {
            return new VerbsException(
                    Errno.EOPNOTSUPP,
                    "DiSNI 2.1 cannot post " + wr.opcode() + " (the device reports no such capability)");
        }
        if (wr.sgeCount() > maxSge) {
            return new VerbsException(Errno.EINVAL, wr.sgeCount() + " entries exceed the send queue's " + maxSge);
        }
        if (free <= 0) {
            return new VerbsException(Errno.ENOMEM, "send queue is full");
        }
        return null;
    }

    /** The API's send flags as {@code IBV_SEND_*} flags (their bit values differ). */
    static int sendFlags(int flags) {
        int result = 0;
        if ((flags & SendWorkRequest.SIGNALED) != 0) {
            result |= IbvSendWR.IBV_SEND_SIGNALED;
        }
        if ((flags & SendWorkRequest.SOLICITED) != 0) {
            result |= IbvSendWR.IBV_SEND_SOLICITED;
        }
        if ((flags & SendWorkRequest.FENCE) != 0) {
            result |= IbvSendWR.IBV_SEND_FENCE;
        }
        return result;
    }

    /**
     * Immediate data as it must sit in DiSNI's structures. ibverbs keeps {@code imm_data} in network byte order and
     * DiSNI copies the int as it is, so the API's host-order value is swapped on little-endian machines (the same
     * swap turns a received value back). Peers, the kernel's RTRS included, then see the intended value.
     */
    static int wireImmediate(int imm) {
        return LITTLE_ENDIAN ? Integer.reverseBytes(imm) : imm;
    }

    /** The immediate data DiSNI posts for a request: zero unless the opcode carries some. */
    static int immediateOf(SendWorkRequest wr) {
        return switch (wr.opcode()) {
            case RDMA_WRITE_WITH_IMM, SEND_WITH_IMM -> wireImmediate(wr.immediateData());
            default -> 0;
        };
    }

    /** A new DiSNI send request equal to {@code wr}, whose opcode must be supported. */
    static IbvSendWR toIbvSendWR(SendWorkRequest wr) {
        IbvSendWR result = new IbvSendWR();
        result.setWr_id(wr.wrId());
        result.setOpcode(opcode(wr.opcode()));
        result.setSend_flags(sendFlags(wr.flags()));
        result.setImm_data(immediateOf(wr));
        result.getRdma().setRemote_addr(wr.remoteAddress());
        result.getRdma().setRkey(wr.rkey());
        LinkedList<IbvSge> sgl = new LinkedList<>();
        for (int i = 0; i < wr.sgeCount(); i++) {
            sgl.add(toIbvSge(wr.sge(i)));
        }
        result.setSg_list(sgl);
        result.setNum_sge(sgl.size());
        return result;
    }

    /** A new DiSNI receive request equal to {@code wr}. */
    static IbvRecvWR toIbvRecvWR(ReceiveWorkRequest wr) {
        IbvRecvWR result = new IbvRecvWR();
        result.setWr_id(wr.wrId());
        LinkedList<IbvSge> sgl = new LinkedList<>();
        for (int i = 0; i < wr.sgeCount(); i++) {
            sgl.add(toIbvSge(wr.sge(i)));
        }
        result.setSg_list(sgl);
        result.setNum_sge(sgl.size());
        return result;
    }

    private static IbvSge toIbvSge(ScatterGatherEntry sge) {
        IbvSge result = new IbvSge();
        result.setAddr(sge.address());
        result.setLength(sge.length());
        result.setLkey(sge.lkey());
        return result;
    }
}
