package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvRecvWR;
import com.ibm.disni.verbs.SVCPostRecv;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.ScatterGatherEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Prepared post-receive calls. DiSNI lets nothing of a prepared receive change, so a call is reused only for the
 * same requests again (same ids and entries), which is the steady state of a connection re-posting its receive
 * buffers. Direct-mapped; not thread-safe: the queue pair's receive lock guards it.
 */
final class PostRecvCache implements AutoCloseable {

    /** Prepares a new call for a batch of requests (DiSNI: {@code IbvQP.postRecv(list, null)}). */
    @FunctionalInterface
    interface Preparer {
        SVCPostRecv prepare(List<IbvRecvWR> wrs) throws IOException;
    }

    private final Preparer preparer;
    private final Slot[] slots;

    PostRecvCache(int slotCount, Preparer preparer) {
        this.preparer = preparer;
        this.slots = new Slot[Integer.highestOneBit(Math.max(1, slotCount - 1)) << 1];
    }

    /** A call that posts {@code wrs[from .. from+count)} when executed. */
    SVCPostRecv prepared(ReceiveWorkRequest[] wrs, int from, int count) throws IOException {
        long hash = count;
        for (int i = from; i < from + count; i++) {
            ReceiveWorkRequest wr = wrs[i];
            hash = hash * 31 + wr.wrId();
            for (int j = 0; j < wr.sgeCount(); j++) {
                ScatterGatherEntry sge = wr.sge(j);
                hash = ((hash * 31 + sge.address()) * 31 + sge.length()) * 31 + sge.lkey();
            }
        }
        int index = (int) (hash ^ (hash >>> 32) ^ (hash >>> 16)) & (slots.length - 1);
        Slot slot = slots[index];
        if (slot != null && slot.matches(wrs, from, count)) {
            return slot.call;
        }
        List<IbvRecvWR> list = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            list.add(WorkRequests.toIbvRecvWR(wrs[i]));
        }
        SVCPostRecv call = preparer.prepare(list);
        if (slot != null) {
            slot.call.free();
        }
        slots[index] = new Slot(wrs, from, count, call);
        return call;
    }

    @Override
    public void close() {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                slots[i].call.free();
                slots[i] = null;
            }
        }
    }

    /** A prepared call and its requests: per request the id, the entry count, then address, length, lkey each. */
    private static final class Slot {
        final long[] key;
        final SVCPostRecv call;

        Slot(ReceiveWorkRequest[] wrs, int from, int count, SVCPostRecv call) {
            int size = 1;
            for (int i = from; i < from + count; i++) {
                size += 2 + 3 * wrs[i].sgeCount();
            }
            key = new long[size];
            int k = 0;
            key[k++] = count;
            for (int i = from; i < from + count; i++) {
                ReceiveWorkRequest wr = wrs[i];
                key[k++] = wr.wrId();
                key[k++] = wr.sgeCount();
                for (int j = 0; j < wr.sgeCount(); j++) {
                    ScatterGatherEntry sge = wr.sge(j);
                    key[k++] = sge.address();
                    key[k++] = sge.length();
                    key[k++] = sge.lkey();
                }
            }
            this.call = call;
        }

        boolean matches(ReceiveWorkRequest[] wrs, int from, int count) {
            int k = 0;
            if (key[k++] != count) {
                return false;
            }
            for (int i = from; i < from + count; i++) {
                ReceiveWorkRequest wr = wrs[i];
                if (k + 2 + 3 * wr.sgeCount() > key.length || key[k++] != wr.wrId() || key[k++] != wr.sgeCount()) {
                    return false;
                }
                for (int j = 0; j < wr.sgeCount(); j++) {
                    ScatterGatherEntry sge = wr.sge(j);
                    if (key[k++] != sge.address() || key[k++] != sge.length() || key[k++] != sge.lkey()) {
                        return false;
                    }
                }
            }
            return k == key.length;
        }
    }
}
