package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.verbs.ScatterGatherEntry;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.WcStatus;
import java.nio.ByteBuffer;

/** One send-queue slot: a copy of the posted work request and its progress. Preallocated, reused. */
final class SendEntry {

    // copied from the work request by the posting thread
    long position;
    long wrId;
    SendOpcode opcode;
    int flags;
    int sgeCount;
    final long[] sgeAddress;
    final int[] sgeLength;
    final int[] sgeKey;
    int length;
    long remoteAddress;
    int rkey;
    int immediate;
    int invalidateRkey;
    TcpMemoryRegion region;
    int registerKey;
    int registerAccess;

    // progress, IO thread only
    /** A PSN was assigned: the request went (or goes) on the wire. */
    boolean transmitted;

    int psn;
    /** A local operation (LOCAL_INV, REG_MR) ran. */
    boolean executed;
    /** A local operation's effect is complete (an invalidation waits for accesses in flight). */
    boolean fenced;
    /** A READ's data was placed. */
    boolean arrived;

    boolean rnrRetrying;
    long rnrStart;
    int rnrRetries;
    WcStatus error;

    /** The encoded header of this request's frame. */
    final ByteBuffer header;
    /** Source views (SEND, WRITE) or guarded destination views (READ). */
    final SgList data;

    SendEntry(int maxSge, ByteBuffer header) {
        sgeAddress = new long[maxSge];
        sgeLength = new int[maxSge];
        sgeKey = new int[maxSge];
        this.header = header;
        this.data = new SgList(maxSge);
    }

    boolean isLocal() {
        return opcode == SendOpcode.LOCAL_INV || opcode == SendOpcode.REG_MR;
    }

    boolean isSignaled() {
        return (flags & SendWorkRequest.SIGNALED) != 0;
    }

    /** Copies a validated work request; called by the posting thread under the queue's lock. */
    void load(SendWorkRequest wr, long pos, int totalLength) {
        position = pos;
        wrId = wr.wrId();
        opcode = wr.opcode();
        flags = wr.flags();
        sgeCount = wr.sgeCount();
        for (int i = 0; i < sgeCount; i++) {
            ScatterGatherEntry sge = wr.sge(i);
            sgeAddress[i] = sge.address();
            sgeLength[i] = sge.length();
            sgeKey[i] = sge.lkey();
        }
        length = totalLength;
        remoteAddress = wr.remoteAddress();
        rkey = wr.rkey();
        immediate = wr.immediateData();
        invalidateRkey = wr.invalidateRkey();
        region = (TcpMemoryRegion) wr.memoryRegion();
        // REG_MR registers the key the region had when the request was posted
        registerKey = region != null ? region.rkey() : 0;
        registerAccess = wr.access();
        transmitted = false;
        psn = 0;
        executed = false;
        fenced = false;
        arrived = false;
        rnrRetrying = false;
        rnrStart = 0;
        rnrRetries = 0;
        error = null;
    }
}
