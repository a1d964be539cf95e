package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;

/**
 * The responder half of a connected queue pair, on its IO thread: executes the peer's requests in PSN order.
 * SENDs scatter into the next posted receive; WRITEs go straight into the target region after the rkey,
 * bounds and REMOTE_WRITE checks, under the region's access guard; READs queue a response that sends from the
 * region. A request that cannot run is refused with a NAK and its payload drained without touching memory.
 */
final class Responder {

    /** After a NAK the requester's frames in flight are drained until the NAKed PSN comes again. */
    private static final int MAX_WINDOW = 1 << 24;

    private final QueuePairSocket socket;
    private final TcpQueuePair qp;
    private final ReceiveQueue rq;
    private final MemoryTable table;
    private final int resources;
    private int expected;
    private int lastExecuted;
    private boolean nakOutstanding;
    private boolean ackDue;
    private int readsOutstanding;

    // the request being read
    private FrameType type;
    private int psn;
    private int length;
    private int immediateData;
    private int invalidateRkey;
    private boolean refused;
    private ReceiveQueue.Entry receive;

    Responder(QueuePairSocket socket, TcpQueuePair qp, int peerInitialPsn, int resources) {
        this.socket = socket;
        this.qp = qp;
        this.rq = qp.receiveQueue;
        this.table = qp.pd.tcpDevice().memoryTable();
        this.resources = resources;
        this.expected = peerInitialPsn;
        this.lastExecuted = peerInitialPsn - 1;
    }

    /** The acknowledgement frames carry: the last request executed. */
    int lastExecuted() {
        return lastExecuted;
    }

    boolean ackDue() {
        return ackDue;
    }

    void ackSent() {
        ackDue = false;
    }

    /** A request header arrived; sets up where its payload goes. */
    void onRequest(FrameHeader h, Placement placement) throws FrameException {
        type = h.type;
        psn = h.psn;
        length = h.length;
        boolean withImmediate = h.type == FrameType.SEND_WITH_IMM || h.type == FrameType.WRITE_WITH_IMM;
        immediateData = withImmediate ? h.immediateData() : 0;
        invalidateRkey = h.type == FrameType.SEND_WITH_INV ? h.invalidateRkey() : 0;
        refused = true;
        receive = null;
        if (qp.state() != QpState.READY_TO_SEND) {
            placement.discard(h.length);
            return;
        }
        if (h.psn != expected) {
            int ahead = Psn.distance(expected, h.psn);
            if (nakOutstanding && ahead > 0 && ahead < MAX_WINDOW) {
                placement.discard(h.length);
                return;
            }
            throw new FrameException(h.type + " with PSN " + Integer.toUnsignedString(h.psn) + " where "
                    + Integer.toUnsignedString(expected) + " was expected");
        }
        nakOutstanding = false;
        switch (h.type) {
            case SEND, SEND_WITH_IMM, SEND_WITH_INV -> startSend(h, placement);
            case WRITE, WRITE_WITH_IMM -> startWrite(h, placement);
            case READ_REQUEST -> read(h, placement);
            default -> throw new FrameException(h.type + " is not a request");
        }
    }

    private void startSend(FrameHeader h, Placement placement) {
        ReceiveQueue.Entry r = rq.peek();
        if (r == null) {
            receiverNotReady(h, placement);
            return;
        }
        if (h.length > r.totalLength) {
            rq.consume();
            r.result(WcStatus.LOCAL_LENGTH_ERROR, WcOpcode.RECV, 0);
            r.done = true;
            rq.complete(qp);
            refuse(h, placement, NakCode.INVALID_REQUEST);
            return;
        }
        if (h.type == FrameType.SEND_WITH_INV) {
            TcpMemoryRegion target = table.lookup(invalidateRkey);
            if (target == null || target.pd() != qp.pd || !target.keyInForce(invalidateRkey)) {
                refuse(h, placement, NakCode.INVALID_REQUEST);
                return;
            }
        }
        SgList views = placement.own();
        long left = h.length;
        for (int i = 0; i < r.sgeCount && left > 0; i++) {
            int len = (int) Math.min(r.sgeLength[i], left);
            TcpMemoryRegion m = table.lookup(r.sgeKey[i]);
            if (m == null
                    || m.pd() != qp.pd
                    || !m.contains(r.sgeAddress[i], r.sgeLength[i])
                    || !m.acquireLocal(r.sgeKey[i])) {
                views.release();
                rq.consume();
                r.result(WcStatus.LOCAL_PROTECTION_ERROR, WcOpcode.RECV, 0);
                r.done = true;
                rq.complete(qp);
                refuse(h, placement, NakCode.REMOTE_OPERATION);
                return;
            }
            if (len > 0) {
                views.add(qp.views, m, r.sgeAddress[i], len, true);
            } else {
                m.release();
            }
            left -= len;
        }
        rq.consume();
        receive = r;
        refused = false;
        placement.scatter(views, true, h.length);
    }

    private void startWrite(FrameHeader h, Placement placement) {
        ReceiveQueue.Entry r = null;
        if (h.type == FrameType.WRITE_WITH_IMM) {
            r = rq.peek();
            if (r == null) {
                receiverNotReady(h, placement);
                return;
            }
        }
        if (h.length > 0) {
            // a zero-length WRITE names no memory, so its rkey is not checked (as on RC hardware)
            TcpMemoryRegion m = table.lookup(h.rkey());
            if (m == null
                    || m.pd() != qp.pd
                    || !m.contains(h.remoteAddress(), h.length)
                    || !m.acquireRemote(h.rkey(), Access.REMOTE_WRITE)) {
                refuse(h, placement, NakCode.REMOTE_ACCESS);
                return;
            }
            SgList views = placement.own();
            views.add(qp.views, m, h.remoteAddress(), h.length, true);
            placement.scatter(views, true, h.length);
        } else {
            placement.discard(0);
        }
        if (r != null) {
            rq.consume();
            receive = r;
        }
        refused = false;
    }

    private void read(FrameHeader h, Placement placement) throws FrameException {
        if (readsOutstanding >= resources) {
            throw new FrameException("more than " + resources + " READ requests outstanding");
        }
        int len = h.readLength();
        TcpMemoryRegion m = null;
        if (len > 0) {
            m = table.lookup(h.rkey());
            if (m == null
                    || m.pd() != qp.pd
                    || !m.contains(h.remoteAddress(), len)
                    || !m.acquireRemote(h.rkey(), Access.REMOTE_READ)) {
                refuse(h, placement, NakCode.REMOTE_ACCESS);
                return;
            }
        }
        ControlFrame f = socket.controlFrame(FrameType.READ_RESPONSE);
        FrameCodec.encodeReadResponse(f.header, h.psn, len);
        if (m != null) {
            f.send(qp.views, m, h.remoteAddress(), len);
        }
        readsOutstanding++;
        socket.enqueue(f);
        placement.discard(0);
        refused = false;
    }

    /** A READ response left (or was dropped): one responder resource is free again. */
    void readResponseLeft() {
        readsOutstanding--;
    }

    private void receiverNotReady(FrameHeader h, Placement placement) {
        placement.discard(h.length);
        nakOutstanding = true;
        socket.enqueueNak(h.psn, NakCode.RECEIVER_NOT_READY);
    }

    /** Refuses the request: NAK, payload drained, and both queue pairs go to the error state. */
    private void refuse(FrameHeader h, Placement placement, NakCode code) {
        placement.discard(h.length);
        socket.enqueueNak(h.psn, code);
        qp.fail(null);
    }

    /** The request's payload has been read. */
    void onRequestDone(Placement placement) {
        boolean aborted = placement.aborted();
        placement.release();
        if (refused || qp.state() != QpState.READY_TO_SEND) {
            return;
        }
        if (aborted) {
            // a target region was closed while the payload arrived
            if (receive != null && type != FrameType.WRITE_WITH_IMM) {
                receive.result(WcStatus.LOCAL_PROTECTION_ERROR, WcOpcode.RECV, 0);
                receive.done = true;
                rq.complete(qp);
            }
            socket.enqueueNak(
                    psn,
                    type == FrameType.WRITE || type == FrameType.WRITE_WITH_IMM
                            ? NakCode.REMOTE_ACCESS
                            : NakCode.REMOTE_OPERATION);
            qp.fail(null);
            return;
        }
        ReceiveQueue.Entry r = receive;
        receive = null;
        if (r != null) {
            if (type == FrameType.WRITE_WITH_IMM) {
                r.result(WcStatus.SUCCESS, WcOpcode.RECV_RDMA_WITH_IMM, length);
                r.hasImmediate = true;
                r.immediate = immediateData;
                r.done = true;
            } else {
                r.result(WcStatus.SUCCESS, WcOpcode.RECV, length);
                r.hasImmediate = type == FrameType.SEND_WITH_IMM;
                r.immediate = immediateData;
                r.done = true;
                if (type == FrameType.SEND_WITH_INV) {
                    invalidate(r, invalidateRkey);
                }
            }
        }
        expected = psn + 1;
        lastExecuted = psn;
        ackDue = true;
        rq.complete(qp);
    }

    /** SEND_WITH_INV: the key is invalidated before the receive completes (later, if accesses are in flight). */
    private void invalidate(ReceiveQueue.Entry r, int rkey) {
        r.hasInvalidate = true;
        r.invalidated = rkey;
        TcpMemoryRegion m = table.lookup(rkey);
        if (m != null
                && m.invalidate(rkey) == TcpMemoryRegion.DEFERRED
                && m.whenFenced(new ReceiveFence(qp, r.position))) {
            r.done = false;
        }
    }

    /** Completes a receive whose SEND_WITH_INV waited for the region's accesses in flight. */
    private static final class ReceiveFence implements TcpMemoryRegion.FenceWaiter {
        private final TcpQueuePair qp;
        private final long position;

        ReceiveFence(TcpQueuePair qp, long position) {
            this.qp = qp;
            this.position = position;
        }

        @Override
        public void fenced() {
            qp.io.execute(() -> {
                ReceiveQueue q = qp.receiveQueue;
                if (!qp.isClosed() && position >= q.completePosition && position < q.consumePosition) {
                    q.entry(position).done = true;
                    q.complete(qp);
                }
            });
        }
    }
}
