package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvSendWR;
import com.ibm.disni.verbs.SVCPostSend;
import dev.rtrs.verbs.ScatterGatherEntry;
import dev.rtrs.verbs.SendWorkRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Prepared post-send calls, reused on the hot path. DiSNI fixes the opcode, the immediate data and the number of
 * scatter/gather entries of each request when it prepares a call; only ids, flags, remote address and key and the
 * entries can be changed afterwards. A call is therefore found by that shape, and its changeable fields are
 * rewritten in place. Direct-mapped: a colliding shape replaces the slot's call. Not thread-safe: the queue pair's
 * send lock guards it.
 */
final class PostSendCache implements AutoCloseable {

    /** Prepares a new call for a batch of requests (DiSNI: {@code IbvQP.postSend(list, null)}). */
    @FunctionalInterface
    interface Preparer {
        SVCPostSend prepare(List<IbvSendWR> wrs) throws IOException;
    }

    private final Preparer preparer;
    private final Slot[] slots;

    PostSendCache(int slotCount, Preparer preparer) {
        this.preparer = preparer;
        this.slots = new Slot[Integer.highestOneBit(Math.max(1, slotCount - 1)) << 1];
    }

    /** A call that posts {@code wrs[from .. from+count)} when executed. */
    SVCPostSend prepared(SendWorkRequest[] wrs, int from, int count) throws IOException {
        int hash = count;
        for (int i = from; i < from + count; i++) {
            SendWorkRequest wr = wrs[i];
            hash = (hash * 31 + WorkRequests.opcode(wr.opcode())) * 31 + wr.sgeCount();
            hash = hash * 31 + WorkRequests.immediateOf(wr);
        }
        int index = (hash ^ (hash >>> 16)) & (slots.length - 1);
        Slot slot = slots[index];
        if (slot != null && slot.matches(wrs, from, count)) {
            rewrite(slot.call, wrs, from, count);
            return slot.call;
        }
        List<IbvSendWR> list = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            list.add(WorkRequests.toIbvSendWR(wrs[i]));
        }
        SVCPostSend call = preparer.prepare(list);
        if (slot != null) {
            slot.call.free();
        }
        slots[index] = new Slot(wrs, from, count, call);
        return call;
    }

    /** Frees every prepared call's native memory. */
    @Override
    public void close() {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                slots[i].call.free();
                slots[i] = null;
            }
        }
    }

    private static void rewrite(SVCPostSend call, SendWorkRequest[] wrs, int from, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            SendWorkRequest wr = wrs[from + i];
            SVCPostSend.SendWRMod mod = call.getWrMod(i);
            mod.setWr_id(wr.wrId());
            mod.setSend_flags(WorkRequests.sendFlags(wr.flags()));
            SVCPostSend.RdmaMod rdma = mod.getRdmaMod();
            rdma.setRemote_addr(wr.remoteAddress());
            rdma.setRkey(wr.rkey());
            for (int j = 0; j < wr.sgeCount(); j++) {
                ScatterGatherEntry sge = wr.sge(j);
                SVCPostSend.SgeMod target = mod.getSgeMod(j);
                target.setAddr(sge.address());
                target.setLength(sge.length());
                target.setLkey(sge.lkey());
            }
        }
    }

    /** A prepared call and the shape it was prepared for: opcode, entry count, immediate data per request. */
    private static final class Slot {
        final int[] shape;
        final SVCPostSend call;

        Slot(SendWorkRequest[] wrs, int from, int count, SVCPostSend call) {
            this.shape = new int[count * 3];
            for (int i = 0; i < count; i++) {
                SendWorkRequest wr = wrs[from + i];
                shape[i * 3] = WorkRequests.opcode(wr.opcode());
                shape[i * 3 + 1] = wr.sgeCount();
                shape[i * 3 + 2] = WorkRequests.immediateOf(wr);
            }
            this.call = call;
        }

        boolean matches(SendWorkRequest[] wrs, int from, int count) {
            if (shape.length != count * 3) {
                return false;
            }
            for (int i = 0; i < count; i++) {
                SendWorkRequest wr = wrs[from + i];
                if (shape[i * 3] != WorkRequests.opcode(wr.opcode())
                        || shape[i * 3 + 1] != wr.sgeCount()
                        || shape[i * 3 + 2] != WorkRequests.immediateOf(wr)) {
                    return false;
                }
            }
            return true;
        }
    }
}
