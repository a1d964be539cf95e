package dev.rtrs.verbs.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.rtrs.verbs.QpState;

/**
 * The read path of one connection, on its IO thread: reads a header, validates it, lets the connection
 * manager, the responder or the requester decide where the payload goes, reads the payload there (together with
 * the next header), then completes the frame. Every data frame's piggybacked ACK is processed once the frame
 * is complete.
 */
final class FrameReader {

    /** Frames handled per readiness event before other connections get a turn. */
    private static final int READ_BUDGET = 256;

    private final Connection connection;
    private final ByteBuffer rxHeader = ByteBuffer.allocateDirect(FrameCodec.HEADER_SIZE);
    private final FrameHeader header = new FrameHeader();
    private final Placement placement;
    private boolean inPayload;
    private boolean placingReadResponse;

    FrameReader(Connection connection, int maxSge) {
        this.connection = connection;
        this.placement = new Placement(maxSge);
    }

    /**
     * Reads and handles frames until the socket has no more bytes, the budget is spent or the connection closed.
     *
     * @return false at end of stream
     */
    boolean read(SocketChannel channel) throws IOException, FrameException {
        for (int budget = READ_BUDGET; budget > 0 && !connection.isClosed(); budget--) {
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
                if (connection.isClosed()) {
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
                connection.requester().progressed();
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
            connection.onCmHeader(header, placement);
            return;
        }
        Connection.Phase phase = connection.phase();
        if (phase == Connection.Phase.DISCONNECTING || phase == Connection.Phase.CLOSING) {
            placement.discard(header.length);
            return;
        }
        if (phase != Connection.Phase.ESTABLISHED) {
            throw new FrameException(t + " in phase " + phase);
        }
        if (t.isRequest()) {
            connection.responder().onRequest(header, placement);
        } else if (t == FrameType.READ_RESPONSE && connection.queuePair().state() == QpState.READY_TO_SEND) {
            placement.scatter(connection.requester().onReadResponse(header.psn, header.length), false, header.length);
            placingReadResponse = true;
        } else {
            placement.discard(header.length);
        }
    }

    private void endFrame() throws FrameException {
        FrameType t = header.type;
        if (t.isConnectionManagement()) {
            connection.onCmFrame(header, placement);
            return;
        }
        if (connection.phase() != Connection.Phase.ESTABLISHED) {
            placement.release();
            return;
        }
        TcpQueuePair qp = connection.queuePair();
        Requester requester = connection.requester();
        if (t.isRequest()) {
            connection.responder().onRequestDone(placement);
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
                requester.onNak(header.psn, NakCode.fromWire(header.word));
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

    /** The connection closes: releases what the frame being read holds. */
    void close() {
        abandon();
        inPayload = false;
        placement.release();
    }
}
