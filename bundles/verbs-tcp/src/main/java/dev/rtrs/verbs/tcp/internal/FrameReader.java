package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.tcp.internal.CmExchange.Phase;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The read path of one queue-pair socket, on its IO thread: reads a header, validates it, lets the
 * connection-manager exchange, the responder or the requester decide where the payload goes, reads the payload there
 * (together with the next header), then completes the frame. Every data frame's piggybacked ACK is processed once
 * the frame is complete.
 */
final class FrameReader {

    /** Frames handled per readiness event before other sockets get a turn. */
    private static final int READ_BUDGET = 256;

    private final QueuePairSocket socket;
    private final CmExchange cm;
    private final ByteBuffer rxHeader = ByteBuffer.allocateDirect(FrameCodec.HEADER_SIZE);
    private final FrameHeader header = new FrameHeader();
    private final Placement placement;
    private boolean inPayload;
    private boolean placingReadResponse;

    FrameReader(QueuePairSocket socket, CmExchange cm, int maxSge) {
        this.socket = socket;
        this.cm = cm;
        this.placement = new Placement(maxSge);
    }

    /**
     * Reads and handles frames until the socket has no more bytes, the budget is spent or the socket closed.
     *
     * @return false at end of stream
     */
    boolean read(SocketChannel channel) throws IOException, FrameException {
        for (int budget = READ_BUDGET; budget > 0 && !cm.isClosed(); budget--) {
            if (!inPayload) {
                if (rxHeader.hasRemaining()) {
                    if (channel.read(rxHeader) < 0) {
                        return false;
                    }
                    if (rxHeader.hasRemaining()) {
                        return true;
                    }
                }
                FrameCodec.decode(rxHeader, header);
                rxHeader.clear();
                startFrame();
                if (cm.isClosed()) {
                    return true;
                }
                if (placement.remaining() > 0) {
                    inPayload = true;
                } else {
                    endFrame();
                }
                continue;
            }
            long n = placement.read(channel, rxHeader);
            if (n < 0) {
                return false;
            }
            if (n > 0 && placingReadResponse) {
                // part of a READ response: the peer answers, as a NIC's read response packets do one by one
                socket.requester().progressed();
            }
            if (placement.remaining() > 0) {
                return true;
            }
            inPayload = false;
            endFrame();
        }
        return true;
    }

    private void startFrame() throws FrameException {
        FrameType t = header.type;
        if (t.isConnectionManagement()) {
            cm.onHeader(header, placement);
            return;
        }
        Phase phase = cm.phase();
        if (phase == Phase.DISCONNECTING || phase == Phase.CLOSING) {
            placement.discard(header.length);
            return;
        }
        if (phase != Phase.ESTABLISHED) {
            throw new FrameException(t + " in phase " + phase);
        }
        if (t.isRequest()) {
            socket.responder().onRequest(header, placement);
        } else if (t == FrameType.READ_RESPONSE && socket.queuePair().state() == QpState.READY_TO_SEND) {
            placement.scatter(socket.requester().onReadResponse(header.psn, header.length), false, header.length);
            placingReadResponse = true;
        } else {
            placement.discard(header.length);
        }
    }

    private void endFrame() throws FrameException {
        FrameType t = header.type;
        if (t.isConnectionManagement()) {
            cm.onFrame(header, placement);
            return;
        }
        if (cm.phase() != Phase.ESTABLISHED) {
            placement.release();
            return;
        }
        TcpQueuePair qp = socket.queuePair();
        Requester requester = socket.requester();
        if (t.isRequest()) {
            socket.responder().onRequestDone(placement);
        } else if (t == FrameType.READ_RESPONSE) {
            boolean aborted = placement.aborted();
            placement.release();
            if (placingReadResponse) {
                placingReadResponse = false;
                requester.readResponseDone(aborted);
            }
        } else {
            placement.release();
            if (t == FrameType.NAK && qp.state() == QpState.READY_TO_SEND) {
                requester.onNak(header.psn, header.nakCode());
            }
        }
        if (qp.state() == QpState.READY_TO_SEND) {
            requester.onAck(header.ack);
        }
    }

    /** The queue pair failed: the payload being read is drained instead of placed. */
    void abandon() {
        if (inPayload) {
            placement.abandon();
        }
        placingReadResponse = false;
    }

    /** The socket closes: releases what the frame being read holds. */
    void close() {
        abandon();
        inPayload = false;
        placement.release();
    }
}
