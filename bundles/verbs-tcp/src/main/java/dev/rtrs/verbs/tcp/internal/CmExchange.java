package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection-manager side of one {@link QueuePairSocket}, on its IO thread: the handshake (CONNECT_REQUEST,
 * ACCEPT or REJECT, READY_TO_USE), the orderly disconnect (DISCONNECT, DISCONNECT_REPLY), their timeouts, and the
 * {@link Phase} they move the socket through. It alone changes the phase, and every end of the socket goes through
 * it, for it tells the id what that end means (UNREACHABLE, CONNECT_ERROR, REJECTED or DISCONNECTED).
 */
final class CmExchange {

    enum Phase {
        CONNECTING,
        AWAIT_REQUEST,
        REQUEST_SENT,
        REQUEST_RECEIVED,
        ACCEPT_SENT,
        ESTABLISHED,
        DISCONNECTING,
        CLOSING,
        CLOSED
    }

    private static final Logger LOG = LoggerFactory.getLogger(CmExchange.class);
    private static final byte[] NO_DATA = new byte[0];

    private final QueuePairSocket socket;
    private final TcpProviderOptions options;
    /** The listening id of an accepted socket; null on the active side. */
    private final TcpCmId listenId;
    /** The id this socket reports to; on the passive side known once the connect request arrived. */
    private TcpCmId cmId;

    private Phase phase;
    private IoThread.Timer timer;
    private byte[] pendingPrivateData;
    private int localPsn;
    private int peerPsn;
    private int peerResources;

    CmExchange(QueuePairSocket socket, TcpProviderOptions options, TcpCmId cmId, TcpCmId listenId, Phase phase) {
        this.socket = socket;
        this.options = options;
        this.cmId = cmId;
        this.listenId = listenId;
        this.phase = phase;
    }

    Phase phase() {
        return phase;
    }

    boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    // ---- the handshake ----

    /** Active side: the socket connects; the request with {@code privateData} goes out once it is connected. */
    void connecting(byte[] privateData, int timeoutMs) {
        startTimer(timeoutMs, () -> fail(Errno.ETIMEDOUT, "no answer within " + timeoutMs + " ms"));
        pendingPrivateData = privateData;
    }

    /** Active side: the socket is connected; queues the connect request (the socket flushes it). */
    void connected(InetSocketAddress local, InetSocketAddress remote) {
        cmId.connected(local, remote);
        byte[] data = pendingPrivateData;
        pendingPrivateData = null;
        localPsn = ThreadLocalRandom.current().nextInt();
        ControlFrame f = socket.controlFrame(FrameType.CONNECT_REQUEST);
        FrameCodec.encodeConnectRequest(
                f.header, localPsn, data.length, socket.queuePair().qpNumber(), options.responderResources());
        f.carryPrivateData(data);
        socket.enqueue(f);
        phase = Phase.REQUEST_SENT;
    }

    /** Passive side: the accepted socket is registered and has this long to send its connect request. */
    void awaitRequest() {
        startTimer(options.handshakeTimeoutMs(), () -> fail(Errno.ETIMEDOUT, "no connect request"));
    }

    /** The passive side's handler accepted; moves to the queue pair's IO thread first if it is another one. */
    void accept(TcpQueuePair acceptingQp, byte[] privateData) {
        if (phase != Phase.REQUEST_RECEIVED) {
            cmId.connectError(Errno.ECONNRESET);
            return;
        }
        // nothing arrives meanwhile: the active side waits for ACCEPT
        socket.moveTo(acceptingQp.io, () -> finishAccept(acceptingQp, privateData));
    }

    private void finishAccept(TcpQueuePair acceptingQp, byte[] privateData) {
        localPsn = ThreadLocalRandom.current().nextInt();
        socket.establish(acceptingQp, localPsn, peerPsn, peerResources);
        ControlFrame f = socket.controlFrame(FrameType.ACCEPT);
        FrameCodec.encodeAccept(
                f.header, localPsn, privateData.length, acceptingQp.qpNumber(), options.responderResources());
        f.carryPrivateData(privateData);
        socket.enqueue(f);
        phase = Phase.ACCEPT_SENT;
        startTimer(options.handshakeTimeoutMs(), () -> fail(Errno.ETIMEDOUT, "no READY_TO_USE"));
        socket.flush();
    }

    void reject(byte[] privateData) {
        if (phase != Phase.REQUEST_RECEIVED) {
            return;
        }
        sendReject(privateData);
    }

    private void sendReject(byte[] privateData) {
        ControlFrame f = socket.controlFrame(FrameType.REJECT);
        FrameCodec.encodeReject(f.header, privateData.length);
        f.carryPrivateData(privateData);
        socket.enqueue(f);
        startClosing();
    }

    // ---- the end ----

    /** Orderly disconnect: the queue pair goes to the error state, DISCONNECT goes out, the reply ends it. */
    void disconnect() {
        if (phase != Phase.ESTABLISHED && phase != Phase.ACCEPT_SENT) {
            if (phase == Phase.CONNECTING || phase == Phase.REQUEST_SENT) {
                closeNow();
            }
            return;
        }
        socket.queuePair().fail(null);
        ControlFrame f = socket.controlFrame(FrameType.DISCONNECT);
        FrameCodec.encodeDisconnect(f.header);
        socket.enqueue(f);
        phase = Phase.DISCONNECTING;
        startTimer(options.disconnectTimeoutMs(), () -> {
            cmId.disconnected(0);
            closeNow();
        });
        socket.flush();
    }

    /** Fault injection: resets the socket as if the host vanished. */
    void abort() {
        if (phase != Phase.CLOSED) {
            fail(Errno.ECONNRESET, "connection aborted");
        }
    }

    /**
     * Ends the socket after an error: tells the id what the phase implies (UNREACHABLE, CONNECT_ERROR or DISCONNECTED
     * with {@code errno}); an established queue pair's first unfinished request gets RETRY_EXCEEDED_ERROR, the rest
     * are flushed.
     */
    void fail(int errno, String why) {
        Phase p = phase;
        if (p == Phase.CLOSED) {
            return;
        }
        if (errno == Errno.EPROTO || errno == Errno.EIO) {
            LOG.warn("connection {} failed: {}", socket.describe(), why);
        } else {
            LOG.debug("connection {} failed: {}", socket.describe(), why);
        }
        closeNow();
        switch (p) {
            case CONNECTING -> cmId.unreachable(errno);
            case REQUEST_SENT -> {
                if (errno == Errno.ETIMEDOUT) {
                    cmId.unreachable(errno);
                } else {
                    cmId.connectError(errno);
                }
            }
            case REQUEST_RECEIVED -> cmId.connectError(errno);
            case ACCEPT_SENT -> {
                socket.queuePair().fail(null);
                cmId.connectError(errno);
            }
            case ESTABLISHED -> {
                socket.queuePair().fail(WcStatus.RETRY_EXCEEDED_ERROR);
                cmId.disconnected(errno);
            }
            case DISCONNECTING -> cmId.disconnected(0);
            default -> {}
        }
    }

    /** The peer closed its side of the socket. */
    void onEof() {
        if (phase == Phase.DISCONNECTING) {
            cmId.disconnected(0);
            closeGracefully();
        } else if (phase == Phase.CLOSING) {
            closeGracefully();
        } else {
            fail(Errno.ECONNRESET, "closed by the peer");
        }
    }

    /** Closes at once, telling no one (an abandoned connect, provider shutdown): {@link QueuePairSocket#reset}. */
    void closeNow() {
        if (enterClosed()) {
            socket.reset();
        }
    }

    /** Closes after the peer ended the socket in order: what was sent has been read, nothing to discard. */
    private void closeGracefully() {
        if (enterClosed()) {
            socket.release();
        }
    }

    private boolean enterClosed() {
        if (phase == Phase.CLOSED) {
            return false;
        }
        phase = Phase.CLOSED;
        cancelTimer();
        return true;
    }

    private void startClosing() {
        phase = Phase.CLOSING;
        socket.shutdownWhenFlushed();
        startTimer(options.disconnectTimeoutMs(), this::closeNow);
        socket.flush();
    }

    // ---- frames from the peer ----

    /** A connection-management header arrived: checks it fits the phase, sets up where its private data goes. */
    void onHeader(FrameHeader header, Placement placement) throws FrameException {
        FrameType t = header.type;
        boolean expected = switch (t) {
            case CONNECT_REQUEST -> phase == Phase.AWAIT_REQUEST;
            case ACCEPT, REJECT -> phase == Phase.REQUEST_SENT;
            case READY_TO_USE -> phase == Phase.ACCEPT_SENT;
            case DISCONNECT -> phase == Phase.ESTABLISHED || phase == Phase.DISCONNECTING;
            case DISCONNECT_REPLY -> phase == Phase.DISCONNECTING;
            default -> false;
        };
        if (phase == Phase.CLOSING) {
            placement.discard(header.length);
        } else if (!expected) {
            throw new FrameException(t + " in phase " + phase);
        } else if (header.length > 0) {
            placement.bytes(header.length);
        } else {
            placement.discard(0);
        }
    }

    /** A connection-management frame is complete. */
    void onFrame(FrameHeader header, Placement placement) throws FrameException {
        byte[] data = placement.kind() == Placement.Kind.BYTES ? placement.takeBytes() : NO_DATA;
        placement.release();
        if (phase == Phase.CLOSING) {
            return;
        }
        switch (header.type) {
            case CONNECT_REQUEST -> onConnectRequest(header, data);
            case ACCEPT -> onAccept(header, data);
            case REJECT -> {
                cancelTimer();
                cmId.rejected(data);
                closeGracefully();
            }
            case READY_TO_USE -> {
                cancelTimer();
                phase = Phase.ESTABLISHED;
                cmId.established(NO_DATA);
            }
            case DISCONNECT -> onDisconnect();
            case DISCONNECT_REPLY -> {
                cancelTimer();
                cmId.disconnected(0);
                startClosing();
            }
            default -> throw new FrameException("unexpected " + header.type);
        }
    }

    private void onConnectRequest(FrameHeader header, byte[] data) throws FrameException {
        cancelTimer();
        peerPsn = header.initialPsn();
        peerResources = header.responderResources();
        InetSocketAddress local;
        InetSocketAddress remote;
        try {
            local = socket.localAddress();
            remote = socket.remoteAddress();
        } catch (IOException e) {
            throw new FrameException("socket addresses unavailable: " + e.getMessage());
        }
        TcpCmId child = listenId.incomingRequest(socket, local, remote, data);
        if (child == null) {
            sendReject(NO_DATA);
            return;
        }
        cmId = child;
        phase = Phase.REQUEST_RECEIVED;
    }

    private void onAccept(FrameHeader header, byte[] data) {
        cancelTimer();
        socket.establish(socket.queuePair(), localPsn, header.initialPsn(), header.responderResources());
        ControlFrame f = socket.controlFrame(FrameType.READY_TO_USE);
        FrameCodec.encodeReadyToUse(f.header);
        socket.enqueue(f);
        phase = Phase.ESTABLISHED;
        cmId.established(data);
    }

    private void onDisconnect() {
        cancelTimer();
        if (phase == Phase.ESTABLISHED) {
            socket.queuePair().fail(null);
        }
        ControlFrame f = socket.controlFrame(FrameType.DISCONNECT_REPLY);
        FrameCodec.encodeDisconnectReply(f.header);
        socket.enqueue(f);
        cmId.disconnected(0);
        startClosing();
    }

    private void startTimer(long ms, Runnable task) {
        cancelTimer();
        timer = socket.io().schedule(TimeUnit.MILLISECONDS.toNanos(ms), task);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
