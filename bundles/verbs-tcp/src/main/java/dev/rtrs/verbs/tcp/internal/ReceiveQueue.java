package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.ScatterGatherEntry;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;

/**
 * A receive queue: a ring of preallocated entries, appended by posting threads under a short lock, consumed
 * and completed in order on the queue pair's IO thread. A slot is free once its completion was generated.
 */
final class ReceiveQueue {

    /** One receive slot. */
    static final class Entry {
        long position;
        long wrId;
        int sgeCount;
        final long[] sgeAddress;
        final int[] sgeLength;
        final int[] sgeKey;
        long totalLength;
        // result, IO thread only
        boolean done;
        WcStatus status;
        WcOpcode opcode;
        int byteLength;
        boolean hasImmediate;
        int immediate;
        boolean hasInvalidate;
        int invalidated;

        Entry(int maxSge) {
            sgeAddress = new long[maxSge];
            sgeLength = new int[maxSge];
            sgeKey = new int[maxSge];
        }

        void result(WcStatus st, WcOpcode op, int length) {
            status = st;
            opcode = op;
            byteLength = length;
        }
    }

    private final Entry[] entries;
    private final int size;
    private final int maxSge;
    private final Object postLock = new Object();
    private volatile long posted;
    private volatile long freed;

    // IO thread only
    long consumePosition;
    long completePosition;

    ReceiveQueue(int size, int maxSge) {
        this.size = size;
        this.maxSge = maxSge;
        entries = new Entry[size];
        for (int i = 0; i < size; i++) {
            entries[i] = new Entry(maxSge);
        }
    }

    Entry entry(long position) {
        return entries[(int) (position % size)];
    }

    long posted() {
        return posted;
    }

    /** Appends receives. Any thread. @throws VerbsException ENOMEM when full, EINVAL for too many entries */
    int post(ReceiveWorkRequest[] wrs, ReceiveWorkRequest single, int count) throws VerbsException {
        synchronized (postLock) {
            long p = posted;
            try {
                for (int i = 0; i < count; i++) {
                    ReceiveWorkRequest wr = single != null ? single : wrs[i];
                    if (wr.sgeCount() > maxSge) {
                        throw new VerbsException(
                                Errno.EINVAL,
                                wr.sgeCount() + " scatter/gather entries, the queue pair allows " + maxSge);
                    }
                    if (p - freed >= size) {
                        throw new VerbsException(Errno.ENOMEM, "receive queue full (" + size + " slots)");
                    }
                    Entry e = entry(p);
                    e.position = p;
                    e.wrId = wr.wrId();
                    e.sgeCount = wr.sgeCount();
                    long total = 0;
                    for (int s = 0; s < wr.sgeCount(); s++) {
                        if (wr.sge(s).length() < 0) {
                            throw new VerbsException(Errno.EINVAL, "negative scatter/gather entry length");
                        }
                    }
                    for (int s = 0; s < e.sgeCount; s++) {
                        ScatterGatherEntry sge = wr.sge(s);
                        e.sgeAddress[s] = sge.address();
                        e.sgeLength[s] = sge.length();
                        e.sgeKey[s] = sge.lkey();
                        total += sge.length();
                    }
                    e.totalLength = total;
                    e.done = false;
                    e.status = null;
                    e.hasImmediate = false;
                    e.hasInvalidate = false;
                    p++;
                }
            } finally {
                posted = p;
            }
        }
        return count;
    }

    /** The next receive to consume, or {@code null} when none is posted. IO thread. */
    Entry peek() {
        return consumePosition < posted ? entry(consumePosition) : null;
    }

    void consume() {
        consumePosition++;
    }

    /** Completes, in order, the consumed entries that are done. IO thread. */
    void complete(TcpQueuePair qp) {
        while (completePosition < consumePosition) {
            Entry e = entry(completePosition);
            if (!e.done) {
                return;
            }
            finish(qp, e);
        }
    }

    private void finish(TcpQueuePair qp, Entry e) {
        completePosition++;
        long wrId = e.wrId;
        WcStatus status = e.status;
        WcOpcode opcode = e.opcode;
        int byteLength = e.byteLength;
        boolean hasImmediate = e.hasImmediate;
        int immediate = e.immediate;
        boolean hasInvalidate = e.hasInvalidate;
        int invalidated = e.invalidated;
        // the slot is free before its completion is visible: a consumer that re-posts from the completion must
        // find room (the entry may be reused from here on, hence the copies above)
        freed = completePosition;
        qp.receiveCompletion(wrId, status, opcode, byteLength, hasImmediate, immediate, hasInvalidate, invalidated);
    }

    /** The queue pair entered the error state: completes every posted receive, in order. IO thread. */
    void flush(TcpQueuePair qp) {
        long end = posted;
        while (completePosition < end) {
            Entry e = entry(completePosition);
            if (!(completePosition < consumePosition && e.done)) {
                e.result(WcStatus.WR_FLUSH_ERROR, WcOpcode.RECV, 0);
                e.hasImmediate = false;
                e.hasInvalidate = false;
            }
            finish(qp, e);
        }
        consumePosition = completePosition;
    }

    /** The queue pair is destroyed. IO thread. */
    void discard() {
        completePosition = consumePosition = posted;
    }
}
