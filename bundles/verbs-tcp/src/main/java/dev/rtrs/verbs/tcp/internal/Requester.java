package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.WcStatus;
import java.util.concurrent.TimeUnit;

/**
 * The requester half of a connected queue pair, on its IO thread: turns posted send requests into frames (local
 * operations run in send-queue order, once the frames before them have left), and processes what the
 * responder answers: cumulative ACKs, NAKs and READ responses.
 *
 * <p>Receiver not ready: the NAKed request and everything after it is sent again (go-back-N, as RC hardware
 * does) after a back-off, until the RNR timeout of the request has passed; then it fails with
 * RNR_RETRY_EXCEEDED_ERROR.
 *
 * <p>ACK timeout: requests waiting for the peer with no acknowledgement progress for (retryCount + 1) ACK timeouts
 * fail the queue pair and close its socket (see {@link #ackTimedOut}). On TCP a retry is just one more timeout
 * period, for TCP itself retransmits. Progress is counted, not timed, so the IO path pays an increment per
 * acknowledgement and the periodic check does the rest.
 */
final class Requester {

    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final QueuePairSocket socket;
    private final TcpQueuePair qp;
    private final SendQueue sq;
    private final MemoryTable table;
    private final int peerResources;
    private final long rnrTimeoutNanos;
    private final Runnable resume = this::resume;
    private int nextPsn;
    private int lastSent;
    private int outstandingReads;
    private long readCursor;
    private boolean paused;
    private long rewindTo = -1;
    private IoThread.Timer retryTimer;
    /** The READ whose response is being placed. */
    private SendEntry receiving;

    // the ACK timeout, see ackTimedOut
    /** No acknowledgement progress for this long fails the queue pair; 0: never. */
    private final long failAfterNanos;

    private final long ackCheckPeriodNanos;
    private int progress;
    private int progressSeen;
    private boolean timing;
    private long timingSince;

    Requester(QueuePairSocket socket, TcpQueuePair qp, int initialPsn, int peerResources, int rnrTimeoutMs) {
        this.socket = socket;
        this.qp = qp;
        this.sq = qp.sendQueue;
        this.table = qp.pd.tcpDevice().memoryTable();
        this.peerResources = peerResources;
        this.rnrTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(rnrTimeoutMs);
        this.nextPsn = initialPsn;
        this.lastSent = initialPsn - 1;
        sq.acked = initialPsn - 1;
        long ackTimeout = QueuePairAttributes.ackTimeoutNanos(qp.attributes.ackTimeout());
        this.failAfterNanos = ackTimeout * (qp.attributes.retryCount() + 1);
        // a check every quarter timeout: an expiry is at most half a timeout late
        this.ackCheckPeriodNanos =
                ackTimeout == 0 ? Long.MAX_VALUE : Math.max(SocketWatch.MIN_PERIOD_NANOS, ackTimeout / 4);
    }

    /**
     * Appends the frames of posted requests that may go now, and runs local operations whose turn has come.
     *
     * @param ack the acknowledgement every frame carries
     * @return whether anything was appended or run
     */
    boolean append(Gather gather, int ack) {
        if (paused) {
            return false;
        }
        if (rewindTo >= 0) {
            rewind();
        }
        boolean progress = false;
        long posted = sq.posted();
        while (sq.sendPosition < posted) {
            SendEntry e = sq.entry(sq.sendPosition);
            if (e.isLocal()) {
                if (!e.executed) {
                    // a local operation touches keys, not the bytes of frames gathered before it: it need not
                    // wait for them to reach the socket (its completion still waits for theirs, in order)
                    executeLocal(e);
                }
                sq.sendPosition++;
                progress = true;
                if (e.error != null) {
                    qp.fail(null);
                    return true;
                }
                continue;
            }
            if ((e.flags & SendWorkRequest.FENCE) != 0 && outstandingReads > 0) {
                break;
            }
            if (e.opcode == SendOpcode.RDMA_READ && outstandingReads >= peerResources) {
                break;
            }
            if (!gather.hasRoom(1 + e.sgeCount)) {
                break;
            }
            if (!prepare(e)) {
                e.error = WcStatus.LOCAL_PROTECTION_ERROR;
                sq.sendPosition++;
                qp.fail(null);
                return true;
            }
            if (!e.transmitted) {
                e.transmitted = true;
                e.psn = nextPsn++;
            }
            encode(e, ack);
            gather.add(e.header);
            if (e.opcode != SendOpcode.RDMA_READ) {
                for (int i = 0; i < e.data.count; i++) {
                    gather.add(e.data.views[i]);
                }
            } else {
                outstandingReads++;
            }
            gather.endFrame(e);
            if (Psn.after(e.psn, lastSent)) {
                lastSent = e.psn;
            }
            sq.sendPosition++;
            progress = true;
        }
        sq.complete(qp);
        return progress;
    }

    /** A SEND or WRITE frame left: its source views go back. */
    void frameLeft(SendEntry e) {
        if (e.opcode != SendOpcode.RDMA_READ) {
            e.data.release();
        }
    }

    private void encode(SendEntry e, int ack) {
        boolean solicited = (e.flags & SendWorkRequest.SOLICITED) != 0;
        switch (e.opcode) {
            case SEND -> FrameCodec.encodeSend(e.header, solicited, e.psn, ack, e.length);
            case SEND_WITH_IMM -> FrameCodec.encodeSendWithImm(e.header, solicited, e.psn, ack, e.length, e.immediate);
            case SEND_WITH_INV ->
                FrameCodec.encodeSendWithInv(e.header, solicited, e.psn, ack, e.length, e.invalidateRkey);
            case RDMA_WRITE -> FrameCodec.encodeRdmaWrite(e.header, e.psn, ack, e.length, e.rkey, e.remoteAddress);
            case RDMA_WRITE_WITH_IMM ->
                FrameCodec.encodeRdmaWriteWithImm(
                        e.header, solicited, e.psn, ack, e.length, e.immediate, e.rkey, e.remoteAddress);
            case RDMA_READ -> FrameCodec.encodeReadRequest(e.header, e.psn, ack, e.length, e.rkey, e.remoteAddress);
            default -> throw new IllegalStateException(e.opcode + " is not a remote operation");
        }
    }

    /** Checks the local entries (lkey, protection domain, bounds; LOCAL_WRITE for a READ) and takes views. */
    private boolean prepare(SendEntry e) {
        boolean read = e.opcode == SendOpcode.RDMA_READ;
        for (int i = 0; i < e.sgeCount; i++) {
            int key = e.sgeKey[i];
            long address = e.sgeAddress[i];
            int len = e.sgeLength[i];
            TcpMemoryRegion r = table.lookup(key);
            boolean ok = r != null
                    && r.pd() == qp.pd
                    && r.contains(address, len)
                    && (read ? r.acquireLocal(key) : r.acceptsLocal(key, false));
            if (!ok) {
                e.data.release();
                return false;
            }
            if (len > 0) {
                e.data.add(qp.views, r, address, len, read);
            } else if (read) {
                r.release();
            }
        }
        return true;
    }

    private void executeLocal(SendEntry e) {
        e.executed = true;
        if (e.opcode == SendOpcode.LOCAL_INV) {
            TcpMemoryRegion r = table.lookup(e.invalidateRkey);
            int result = r == null || r.pd() != qp.pd ? TcpMemoryRegion.BAD_KEY : r.invalidate(e.invalidateRkey);
            if (result == TcpMemoryRegion.BAD_KEY) {
                e.error = WcStatus.LOCAL_PROTECTION_ERROR;
            } else {
                e.fenced = result == TcpMemoryRegion.INVALIDATED || !r.whenFenced(new SendFence(qp, e.position));
            }
        } else {
            TcpMemoryRegion r = e.region;
            boolean ok = r.pd() == qp.pd
                    && (e.registerKey >>> 8) == r.index()
                    && r.register(e.registerKey, e.registerAccess & Access.ALL);
            if (ok) {
                e.fenced = true;
            } else {
                e.error = WcStatus.LOCAL_PROTECTION_ERROR;
            }
        }
    }

    /** Completes a LOCAL_INV whose region had accesses in flight, once they are done. */
    private static final class SendFence implements TcpMemoryRegion.FenceWaiter {
        private final TcpQueuePair qp;
        private final long position;

        SendFence(TcpQueuePair qp, long position) {
            this.qp = qp;
            this.position = position;
        }

        @Override
        public void fenced() {
            qp.io.execute(() -> {
                SendQueue q = qp.sendQueue;
                if (!qp.isClosed() && position >= q.completePosition && position < q.sendPosition) {
                    q.entry(position).fenced = true;
                    q.complete(qp);
                }
            });
        }
    }

    /** The responder executed every request up to {@code ack}. */
    void onAck(int ack) throws FrameException {
        if (Psn.before(ack, sq.acked) || Psn.after(ack, lastSent)) {
            throw new FrameException("ACK " + Integer.toUnsignedString(ack) + " outside the window after "
                    + Integer.toUnsignedString(sq.acked));
        }
        if (ack != sq.acked) {
            progress++;
        }
        sq.acked = ack;
        sq.complete(qp);
    }

    /** The responder refused request {@code psn} (and executed everything before it). */
    void onNak(int psn, NakCode code) throws FrameException {
        if (!Psn.after(psn, sq.acked) || Psn.after(psn, lastSent)) {
            throw new FrameException("NAK of PSN " + Integer.toUnsignedString(psn) + " outside the window");
        }
        SendEntry e = find(psn);
        if (e == null) {
            throw new FrameException("NAK of PSN " + Integer.toUnsignedString(psn) + " names no outstanding request");
        }
        progress++;
        sq.acked = psn - 1;
        sq.complete(qp);
        if (code != NakCode.RECEIVER_NOT_READY) {
            e.error = code.status();
            qp.fail(null);
            return;
        }
        long now = System.nanoTime();
        if (!e.rnrRetrying) {
            e.rnrRetrying = true;
            e.rnrStart = now;
        }
        long left = rnrTimeoutNanos - (now - e.rnrStart);
        if (left <= 0) {
            e.error = WcStatus.RNR_RETRY_EXCEEDED_ERROR;
            qp.fail(null);
            return;
        }
        long backoff = Math.min(MAX_BACKOFF_NANOS, TimeUnit.MILLISECONDS.toNanos(1) << Math.min(e.rnrRetries++, 6));
        rewindTo = e.position;
        paused = true;
        retryTimer = socket.io().schedule(Math.min(backoff, left), resume);
    }

    private void resume() {
        retryTimer = null;
        paused = false;
        socket.flush();
    }

    private SendEntry find(int psn) {
        for (long p = sq.completePosition; p < sq.sendPosition; p++) {
            SendEntry e = sq.entry(p);
            if (!e.isLocal() && e.transmitted && e.psn == psn) {
                return e;
            }
        }
        return null;
    }

    /** Goes back to the NAKed request: what follows it was discarded by the responder. */
    private void rewind() {
        for (long p = rewindTo; p < sq.sendPosition; p++) {
            SendEntry e = sq.entry(p);
            if (e.opcode == SendOpcode.RDMA_READ && !e.arrived) {
                e.data.release();
                outstandingReads--;
            }
        }
        sq.sendPosition = rewindTo;
        readCursor = Math.min(readCursor, rewindTo);
        rewindTo = -1;
    }

    /**
     * A READ response for {@code psn} of {@code length} bytes arrives: it must answer the oldest READ waiting.
     *
     * @return the views to place it into
     */
    SgList onReadResponse(int psn, int length) throws FrameException {
        long p = Math.max(readCursor, sq.completePosition);
        SendEntry e = null;
        for (; p < sq.sendPosition; p++) {
            SendEntry candidate = sq.entry(p);
            if (candidate.opcode == SendOpcode.RDMA_READ && candidate.transmitted && !candidate.arrived) {
                e = candidate;
                break;
            }
        }
        if (e == null || e.psn != psn || e.length != length) {
            throw new FrameException("READ response for PSN " + Integer.toUnsignedString(psn) + " of " + length
                    + " bytes answers no outstanding READ");
        }
        readCursor = p;
        receiving = e;
        progress++;
        return e.data;
    }

    /** The READ response's payload was read; {@code aborted} when its destination was closed meanwhile. */
    void readResponseDone(boolean aborted) {
        SendEntry e = receiving;
        receiving = null;
        e.data.release();
        outstandingReads--;
        if (aborted) {
            e.error = WcStatus.LOCAL_PROTECTION_ERROR;
            qp.fail(null);
            return;
        }
        e.arrived = true;
        readCursor = e.position + 1;
        progress++;
        sq.complete(qp);
    }

    /** Acknowledgement progress seen outside the frames this class handles (see its callers). */
    void progressed() {
        progress++;
    }

    /** How often {@link #ackTimedOut} needs calling; {@link Long#MAX_VALUE} when the ACK timeout is 0 (never). */
    long ackCheckPeriodNanos() {
        return ackCheckPeriodNanos;
    }

    /**
     * The periodic check of the ACK timeout. Its timer runs while requests await the peer (frames sent and not
     * acknowledged, READs not answered) and no RNR back-off is pending, as a NIC's transport timer stops for an RNR
     * NAK. It starts, and restarts after progress, at the first check that sees it, so it expires up to two check
     * periods late but never early.
     *
     * @param restart the check ran late (this thread stalled): the timer restarts instead of expiring
     * @return whether the requests waited longer than the ACK timeout and its retries allow
     */
    boolean ackTimedOut(long now, boolean restart) {
        if (failAfterNanos == 0) {
            return false;
        }
        if (paused || !(Psn.after(lastSent, sq.acked) || outstandingReads > 0)) {
            timing = false;
            return false;
        }
        if (!timing || restart || progress != progressSeen) {
            timing = true;
            progressSeen = progress;
            timingSince = now;
            return false;
        }
        return now - timingSince >= failAfterNanos;
    }

    /** How long the requests have waited without progress, as far as the checks saw. */
    long waitedNanos(long now) {
        return timing ? now - timingSince : 0;
    }

    /** The queue pair entered the error state: no more retries. */
    void onError() {
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
        paused = true;
        receiving = null;
    }
}
