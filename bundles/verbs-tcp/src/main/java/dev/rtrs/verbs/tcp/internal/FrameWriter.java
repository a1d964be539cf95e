package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.verbs.QpState;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The write path of one queue-pair socket, on its IO thread: a queue of control frames (connection management,
 * NAKs, READ responses) and the send queue's frames go out through one {@link Gather}, as many per system call as
 * the socket takes. Control frames go first, so a READ response always precedes any frame whose ACK covers its
 * READ. Every data frame carries the current cumulative ACK; a bare ACK goes out only when nothing else carried it.
 */
final class FrameWriter implements Gather.FrameSink {

    private final QueuePairSocket socket;
    private final Gather gather = new Gather();
    private final ArrayDeque<ControlFrame> control = new ArrayDeque<>();
    private final ArrayDeque<ControlFrame> pool = new ArrayDeque<>();
    private boolean writeInterest;
    private boolean shutdownWhenFlushed;
    private boolean outputShut;

    FrameWriter(QueuePairSocket socket) {
        this.socket = socket;
    }

    /**
     * Writes until everything queued has left or the socket is full (then OP_WRITE resumes it).
     *
     * @param established whether send-queue frames and ACKs may go out
     * @return false when it stopped, nothing written, because the silenced addresses changed (see
     *         {@link QueuePairSocket#faultsChanged()}): what was built stays queued
     */
    boolean flush(SocketChannel channel, SelectionKey key, boolean established) throws IOException {
        for (; ; ) {
            if (gather.hasPending()) {
                if (socket.faultsChanged()) {
                    return false;
                }
                long written = gather.write(channel, this);
                if (written > 0 && writeInterest) {
                    // the full socket took bytes: the peer's TCP acknowledged some, as a NIC acknowledges the
                    // packets of a long message before its last one
                    socket.peerTookData();
                }
                if (gather.hasPending()) {
                    setWriteInterest(key, true);
                    return true;
                }
            }
            if (!build(established)) {
                break;
            }
        }
        setWriteInterest(key, false);
        if (shutdownWhenFlushed && !outputShut) {
            outputShut = true;
            channel.shutdownOutput();
        }
        return true;
    }

    /** Builds frames as {@link #flush} does, as many as the gather holds, and writes none of them. */
    void queue(boolean established) {
        while (build(established)) {
            // each round appends frames or runs local operations; a full gather or an empty queue ends it
        }
    }

    /** Fills the gather: control frames, then send-queue frames, then an ACK if nothing else carried it. */
    private boolean build(boolean established) {
        Requester requester = socket.requester();
        Responder responder = socket.responder();
        TcpQueuePair qp = socket.queuePair();
        boolean progress = false;
        int ack = responder != null ? responder.lastExecuted() : 0;
        boolean ackCarried = false;
        ControlFrame f;
        while ((f = control.peek()) != null && gather.hasRoom(2)) {
            control.poll();
            if (f.carriesAck()) {
                FrameCodec.stampAck(f.header, ack);
                ackCarried = true;
            }
            gather.add(f.header);
            if (f.payload != null && f.payload.hasRemaining()) {
                gather.add(f.payload);
            }
            gather.endFrame(f);
            progress = true;
        }
        boolean sending = established && qp != null && qp.state() == QpState.READY_TO_SEND;
        if (requester != null && sending && !shutdownWhenFlushed) {
            int before = gather.frames();
            progress |= requester.append(gather, ack);
            ackCarried |= gather.frames() != before;
        }
        if (responder != null && responder.ackDue()) {
            if (!ackCarried && sending && gather.hasRoom(1)) {
                f = controlFrame(FrameType.ACK);
                FrameCodec.encodeAck(f.header, ack);
                gather.add(f.header);
                gather.endFrame(f);
                ackCarried = true;
                progress = true;
            }
            if (ackCarried) {
                responder.ackSent();
            }
        }
        return progress;
    }

    private void setWriteInterest(SelectionKey key, boolean on) {
        if (on != writeInterest && key.isValid()) {
            writeInterest = on;
            key.interestOps(on ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    /** The socket cleared the key's interest (a silenced link): OP_WRITE is no longer set. */
    void interestCleared() {
        writeInterest = false;
    }

    /** After what is queued has left, the socket's output is shut down (orderly close). */
    void shutdownWhenFlushed() {
        shutdownWhenFlushed = true;
    }

    ControlFrame controlFrame(FrameType type) {
        ControlFrame f = pool.poll();
        if (f == null) {
            f = new ControlFrame();
        }
        f.type = type;
        return f;
    }

    void enqueue(ControlFrame f) {
        control.add(f);
    }

    void enqueueNak(int psn, NakCode code) {
        ControlFrame f = controlFrame(FrameType.NAK);
        FrameCodec.encodeNak(f.header, psn, code);
        enqueue(f);
    }

    /** The queue pair failed: queued READ responses and ACKs are dropped; NAKs and handshake frames stay. */
    void dropResponses() {
        for (Iterator<ControlFrame> it = control.iterator(); it.hasNext(); ) {
            ControlFrame f = it.next();
            if (f.type == FrameType.READ_RESPONSE || f.type == FrameType.ACK) {
                it.remove();
                frameDropped(f);
            }
        }
    }

    /** The socket closes: everything queued is dropped and its resources released. */
    void dropAll() {
        gather.drop(this);
        ControlFrame f;
        while ((f = control.poll()) != null) {
            frameDropped(f);
        }
    }

    @Override
    public void frameWritten(Object owner) {
        if (owner instanceof SendEntry e) {
            socket.requester().frameLeft(e);
            return;
        }
        ControlFrame f = (ControlFrame) owner;
        if (f.type == FrameType.READ_RESPONSE) {
            f.releaseRegion();
            socket.responder().readResponseLeft();
        }
        f.clear();
        pool.add(f);
    }

    @Override
    public void frameDropped(Object owner) {
        frameWritten(owner);
    }
}
