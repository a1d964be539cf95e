package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import java.nio.ByteBuffer;

/**
 * A send queue: a ring of preallocated entries. Posting threads append under a short lock; everything else
 * happens on the queue pair's IO thread.
 *
 * <p>Slot accounting follows hardware: a slot is free once a completion at or after it was generated. A
 * signaled request frees itself and the unsignaled requests before it; unsignaled requests that succeed free
 * nothing on their own. Completions are generated in posting order.
 */
final class SendQueue {

    private final SendEntry[] entries;
    private final int size;
    private final Object postLock = new Object();
    private volatile long posted;
    private volatile long freed;

    // IO thread only
    /** Next entry to execute (local operations) or transmit. */
    long sendPosition;
    /** Next entry to complete. */
    long completePosition;
    /** Last PSN the responder executed. */
    int acked;

    SendQueue(int size, int maxSge) {
        this.size = size;
        this.entries = new SendEntry[size];
        ByteBuffer headers = ByteBuffer.allocateDirect(size * FrameCodec.HEADER_SIZE);
        for (int i = 0; i < size; i++) {
            headers.limit((i + 1) * FrameCodec.HEADER_SIZE).position(i * FrameCodec.HEADER_SIZE);
            entries[i] = new SendEntry(maxSge, headers.slice());
        }
    }

    SendEntry entry(long position) {
        return entries[(int) (position % size)];
    }

    long posted() {
        return posted;
    }

    /**
     * Appends {@code count} requests, each validated by {@code qp}. Any thread.
     *
     * @return {@code count}
     * @throws VerbsException ENOMEM when the queue is full, or the validation's error; the requests before the
     *         failing one stay posted
     */
    int post(SendWorkRequest[] wrs, SendWorkRequest single, int count, TcpQueuePair qp) throws VerbsException {
        synchronized (postLock) {
            long p = posted;
            try {
                for (int i = 0; i < count; i++) {
                    SendWorkRequest wr = single != null ? single : wrs[i];
                    int length = qp.validate(wr);
                    if (p - freed >= size) {
                        throw new VerbsException(Errno.ENOMEM, "send queue full (" + size + " slots)");
                    }
                    entry(p).load(wr, p, length);
                    p++;
                }
            } finally {
                posted = p;
            }
        }
        return count;
    }

    /** Completes, in order, the entries that are done. IO thread. */
    void complete(TcpQueuePair qp) {
        while (completePosition < sendPosition) {
            SendEntry e = entry(completePosition);
            if (!isDone(e)) {
                return;
            }
            finish(qp, e, WcStatus.SUCCESS);
        }
    }

    private boolean isDone(SendEntry e) {
        if (e.isLocal()) {
            return e.fenced;
        }
        if (e.opcode == SendOpcode.RDMA_READ) {
            return e.arrived;
        }
        return e.transmitted && !Psn.after(e.psn, acked);
    }

    private void finish(TcpQueuePair qp, SendEntry e, WcStatus status) {
        completePosition++;
        if (status != WcStatus.SUCCESS || e.isSignaled()) {
            long wrId = e.wrId;
            WcOpcode opcode = opcodeOf(e.opcode);
            int length = e.length;
            // the slots are free before the completion is visible, as on a NIC: whoever posts on seeing it must
            // find room (the entry may be reused from here on, hence the copies above)
            freed = completePosition;
            qp.sendCompletion(wrId, status, opcode, length);
        }
    }

    /**
     * The queue pair entered the error state: completes everything posted, in order. Entries already done
     * complete normally; an entry with an error completes with it; the first unfinished remote request gets
     * {@code firstRemote} when given; the rest WR_FLUSH_ERROR. IO thread.
     */
    void flush(TcpQueuePair qp, WcStatus firstRemote) {
        long end = posted;
        WcStatus first = firstRemote;
        while (completePosition < end) {
            SendEntry e = entry(completePosition);
            boolean started = completePosition < sendPosition;
            if (e.opcode == SendOpcode.RDMA_READ && started && !e.arrived) {
                e.data.release();
            }
            if (started && e.error == null && isDone(e)) {
                finish(qp, e, WcStatus.SUCCESS);
                continue;
            }
            WcStatus status = e.error != null ? e.error : WcStatus.WR_FLUSH_ERROR;
            if (first != null && !e.isLocal() && e.error == null) {
                status = first;
                first = null;
            }
            finish(qp, e, status);
        }
        sendPosition = completePosition;
        // an unsignaled success at the end is covered by no later completion: the queue is empty now
        freed = completePosition;
    }

    /** The queue pair is destroyed: ends the accesses its READs hold, completes nothing. IO thread. */
    void discard() {
        for (long p = completePosition; p < sendPosition; p++) {
            SendEntry e = entry(p);
            if (e.opcode == SendOpcode.RDMA_READ && !e.arrived) {
                e.data.release();
            }
        }
        completePosition = sendPosition = posted;
    }

    static WcOpcode opcodeOf(SendOpcode op) {
        return switch (op) {
            case SEND, SEND_WITH_IMM, SEND_WITH_INV -> WcOpcode.SEND;
            case RDMA_WRITE, RDMA_WRITE_WITH_IMM -> WcOpcode.RDMA_WRITE;
            case RDMA_READ -> WcOpcode.RDMA_READ;
            case LOCAL_INV -> WcOpcode.LOCAL_INV;
            case REG_MR -> WcOpcode.REG_MR;
        };
    }
}
