package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvWC;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;

/**
 * Turns DiSNI's polled completions into the API's and frees the queue slots they stand for. One per completion
 * queue, used under its poll lock; allocates nothing.
 */
final class CompletionTranslator {

    private final CompletionQueue cq;
    private final WorkQueueTracker.Completed completed = new WorkQueueTracker.Completed();

    /** @param cq the queue polled; a queue pair's send or receive side belongs to it when it names this queue */
    CompletionTranslator(CompletionQueue cq) {
        this.cq = cq;
    }

    /**
     * Fills {@code out} from {@code wc}. Returns false for a completion of no queue pair in {@code qps} (one closed
     * meanwhile), which is dropped.
     */
    boolean translate(IbvWC wc, WorkCompletion out, DisniQueuePair[] qps) {
        long wrId = wc.getWr_id();
        WcStatus status = CompletionMapping.status(wc.getStatus());
        if (status != WcStatus.SUCCESS) {
            return translateFailure(wrId, status, out, qps);
        }
        DisniQueuePair qp = byNumber(qps, wc.getQp_num());
        if (qp == null) {
            return false;
        }
        WcOpcode opcode = CompletionMapping.opcode(wc.getOpcode());
        if (opcode == WcOpcode.RECV || opcode == WcOpcode.RECV_RDMA_WITH_IMM) {
            qp.receiveCompleted(completed);
            out.set(wrId, status, opcode, wc.getByte_len(), qp);
            int flags = wc.getWc_flags();
            if ((flags & CompletionMapping.WC_WITH_IMM) != 0) {
                out.immediate(WorkRequests.wireImmediate(wc.getImm_data()));
            } else if ((flags & CompletionMapping.WC_WITH_INV) != 0) {
                // the same field holds the invalidated rkey, in host order
                out.invalidated(wc.getImm_data());
            }
            return true;
        }
        boolean known = qp.sendCompleted(true, completed);
        WcOpcode sent =
                opcode != null ? opcode : known ? CompletionMapping.completionOf(completed.opcode) : WcOpcode.SEND;
        // ibverbs' byte_len is defined for receives only; a send reports what it posted
        out.set(wrId, status, sent, known ? (int) Math.min(completed.length, Integer.MAX_VALUE) : 0, qp);
        return true;
    }

    /**
     * DiSNI 2.1 copies only wr_id, status and opcode of a failed completion, and ibverbs leaves its opcode undefined:
     * the queue pair and side are those whose oldest outstanding request carries the wr_id (queues complete in
     * order), the send side first; failing that, the first with outstanding requests on this queue.
     */
    private boolean translateFailure(long wrId, WcStatus status, WorkCompletion out, DisniQueuePair[] qps) {
        DisniQueuePair qp = null;
        boolean send = false;
        for (DisniQueuePair q : qps) {
            if (q.sendCq() == cq && q.oldestSendIs(wrId)) {
                qp = q;
                send = true;
                break;
            }
            if (q.receiveCq() == cq && q.oldestReceiveIs(wrId)) {
                qp = q;
                break;
            }
        }
        if (qp == null) {
            for (DisniQueuePair q : qps) {
                if (q.sendCq() == cq && q.hasOutstandingSends()) {
                    qp = q;
                    send = true;
                    break;
                }
                if (q.receiveCq() == cq && q.hasOutstandingReceives()) {
                    qp = q;
                    break;
                }
            }
        }
        if (qp == null) {
            return false;
        }
        qp.toError();
        WcOpcode opcode;
        if (send) {
            // a failed or flushed send completes even when unsignaled: it frees exactly its own slot
            opcode = qp.sendCompleted(false, completed)
                    ? CompletionMapping.completionOf(completed.opcode)
                    : WcOpcode.SEND;
        } else {
            qp.receiveCompleted(completed);
            opcode = WcOpcode.RECV;
        }
        out.set(wrId, status, opcode, 0, qp);
        return true;
    }

    private static DisniQueuePair byNumber(DisniQueuePair[] qps, int qpNumber) {
        for (DisniQueuePair qp : qps) {
            if (qp.qpNumber() == qpNumber) {
                return qp;
            }
        }
        return null;
    }
}
