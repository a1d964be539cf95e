package dev.rtrs.verbs.tcp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rtrs.verbs.Errno;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.tcp.TcpProviderOptions;

/**
 * One TCP connection carrying one queue pair, owned by one IO thread. Reads frames (header, then the payload
 * straight into its destination), runs the connection-manager exchange, and writes everything queued (control
 * frames first, then send-queue frames) with gathering writes.
 *
 * <p>A malformed or unexpected frame closes this connection only ({@link #fail}). Reading is {@link FrameReader}'s
 * concern, writing {@link FrameWriter}'s.
 */
final class Connection implements IoThread.Handler {

    enum Phase {
        CONNECTING, AWAIT_REQUEST, REQUEST_SENT, REQUEST_RECEIVED, ACCEPT_SENT, ESTABLISHED, DISCONNECTING, CLOSING,
        CLOSED
    }

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final byte[] NO_DATA = new byte[0];

    private final TcpProviderOptions options;
    private final TcpCmId listenId;
    private volatile IoThread io;
    private SocketChannel channel;
    private SelectionKey key;
    private boolean writeInterest;
    private TcpCmId cmId;
    private TcpQueuePair qp;
    private Requester requester;
    private Responder responder;
    private Phase phase;
    private IoThread.Timer timer;

    private final FrameReader reader;

    private final FrameWriter writer = new FrameWriter(this);
    private byte[] pendingPrivateData;
    private int localPsn;
    private int peerPsn;
    private int peerResources;

    private Connection(ProviderRuntime runtime, IoThread io, SocketChannel channel, TcpCmId cmId, TcpCmId listenId,
            TcpQueuePair qp, Phase phase) {
        this.options = runtime.options();
        this.io = io;
        this.channel = channel;
        this.cmId = cmId;
        this.listenId = listenId;
        this.qp = qp;
        this.phase = phase;
        this.reader = new FrameReader(this, runtime.device().capabilities().maxScatterGatherEntries());
    }

    /** The connection of an active id; {@link #startActive} runs on the queue pair's IO thread. */
    static Connection active(ProviderRuntime runtime, TcpCmId id, TcpQueuePair qp) {
        return new Connection(runtime, qp.io, null, id, null, qp, Phase.CONNECTING);
    }

    /** A socket a listener accepted; {@link #startPassive} runs on {@code io}. */
    static Connection passive(ProviderRuntime runtime, IoThread io, SocketChannel channel, TcpCmId listenId) {
        return new Connection(runtime, io, channel, null, listenId, null, Phase.AWAIT_REQUEST);
    }

    IoThread io() {
        return io;
    }

    // ---- connection management (IO thread) ----

    void startActive(InetSocketAddress source, InetSocketAddress destination, byte[] privateData, int timeoutMs) {
        qp.bind(this);
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            configure(channel);
            if (source != null) {
                channel.bind(source);
            }
            key = io.register(channel, 0, this);
            startTimer(timeoutMs, () -> fail(Errno.ETIMEDOUT, "no answer within " + timeoutMs + " ms"));
            pendingPrivateData = privateData;
            if (channel.connect(destination)) {
                connected();
            } else {
                key.interestOps(SelectionKey.OP_CONNECT);
            }
        } catch (IOException | RuntimeException e) {
            fail(errnoOf(e), "connect to " + destination + " failed: " + e.getMessage());
        }
    }

    private void connected() throws IOException {
        cmId.connected((InetSocketAddress) channel.getLocalAddress(), (InetSocketAddress) channel.getRemoteAddress());
        int psn = ThreadLocalRandom.current().nextInt();
        ControlFrame f = controlFrame(FrameType.CONNECT_REQUEST);
        byte[] data = pendingPrivateData;
        pendingPrivateData = null;
        FrameCodec.encode(f.header, FrameType.CONNECT_REQUEST, 0, psn, 0, data.length, qp.qpNumber(),
                FrameCodec.PROTOCOL_VERSION, options.responderResources());
        f.payload = f.privateData.clear().put(data).flip();
        enqueue(f);
        localPsn = psn;
        phase = Phase.REQUEST_SENT;
        key.interestOps(SelectionKey.OP_READ);
        flush();
    }

    void startPassive() {
        try {
            configure(channel);
            key = io.register(channel, SelectionKey.OP_READ, this);
            startTimer(options.handshakeTimeoutMs(), () -> fail(Errno.ETIMEDOUT, "no connect request"));
        } catch (IOException | RuntimeException e) {
            fail(Errno.EIO, "cannot register an accepted socket: " + e.getMessage());
        }
    }

    private void configure(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (options.socketBufferBytes() > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, options.socketBufferBytes());
            ch.setOption(StandardSocketOptions.SO_RCVBUF, options.socketBufferBytes());
        }
    }

    /** The passive side's handler accepted; moves to the queue pair's IO thread first if it is another one. */
    void accept(TcpQueuePair acceptingQp, byte[] privateData) {
        if (phase != Phase.REQUEST_RECEIVED) {
            cmId.connectError(Errno.ECONNRESET);
            return;
        }
        IoThread target = acceptingQp.io;
        if (target == io) {
            finishAccept(acceptingQp, privateData);
            return;
        }
        // nothing arrives meanwhile: the active side waits for ACCEPT
        key.cancel();
        key = null;
        io = target;
        target.execute(() -> {
            try {
                key = target.register(channel, SelectionKey.OP_READ, this);
            } catch (IOException e) {
                fail(Errno.EIO, "cannot move the connection: " + e.getMessage());
                return;
            }
            finishAccept(acceptingQp, privateData);
        });
    }

    private void finishAccept(TcpQueuePair acceptingQp, byte[] privateData) {
        qp = acceptingQp;
        localPsn = ThreadLocalRandom.current().nextInt();
        establishQueuePair();
        ControlFrame f = controlFrame(FrameType.ACCEPT);
        FrameCodec.encode(f.header, FrameType.ACCEPT, 0, localPsn, 0, privateData.length, qp.qpNumber(),
                FrameCodec.PROTOCOL_VERSION, options.responderResources());
        f.payload = f.privateData.clear().put(privateData).flip();
        enqueue(f);
        phase = Phase.ACCEPT_SENT;
        startTimer(options.handshakeTimeoutMs(), () -> fail(Errno.ETIMEDOUT, "no READY_TO_USE"));
        flush();
    }

    private void establishQueuePair() {
        requester = new Requester(this, qp, localPsn, peerResources, options.rnrTimeoutMs());
        responder = new Responder(this, qp, peerPsn, options.responderResources());
        qp.readyToSend(this);
    }

    void reject(byte[] privateData) {
        if (phase != Phase.REQUEST_RECEIVED) {
            return;
        }
        sendReject(privateData);
    }

    private void sendReject(byte[] privateData) {
        ControlFrame f = controlFrame(FrameType.REJECT);
        FrameCodec.encode(f.header, FrameType.REJECT, 0, 0, 0, privateData.length, 0, 0, 0);
        f.payload = f.privateData.clear().put(privateData).flip();
        enqueue(f);
        startClosing();
    }

    /** Orderly disconnect: the queue pair goes to the error state, DISCONNECT goes out, the reply ends it. */
    void disconnect() {
        if (phase != Phase.ESTABLISHED && phase != Phase.ACCEPT_SENT) {
            if (phase == Phase.CONNECTING || phase == Phase.REQUEST_SENT) {
                closeNow();
            }
            return;
        }
        qp.fail(null);
        ControlFrame f = controlFrame(FrameType.DISCONNECT);
        FrameCodec.encode(f.header, FrameType.DISCONNECT, 0, 0, 0, 0, 0, 0, 0);
        enqueue(f);
        phase = Phase.DISCONNECTING;
        startTimer(options.disconnectTimeoutMs(), () -> {
            cmId.disconnected(0);
            closeNow();
        });
        flush();
    }

    /** Fault injection: resets the socket as if the host vanished. */
    void abort() {
        if (phase == Phase.CLOSED) {
            return;
        }
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot set SO_LINGER", e);
        }
        fail(Errno.ECONNRESET, "connection aborted");
    }

    /** Closes without telling anyone (an abandoned connect, provider shutdown). */
    void closeQuietly() {
        closeNow();
    }

    private void startClosing() {
        phase = Phase.CLOSING;
        writer.shutdownWhenFlushed();
        startTimer(options.disconnectTimeoutMs(), this::closeNow);
        flush();
    }

    /** A connection-management header arrived: checks it fits the phase, sets up where its private data goes. */
    void onCmHeader(FrameHeader header, Placement placement) throws FrameException {
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
    void onCmFrame(FrameHeader header, Placement placement) throws FrameException {
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
                closeNow();
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
        peerPsn = header.psn;
        peerResources = (int) header.address;
        InetSocketAddress local;
        InetSocketAddress remote;
        try {
            local = (InetSocketAddress) channel.getLocalAddress();
            remote = (InetSocketAddress) channel.getRemoteAddress();
        } catch (IOException e) {
            throw new FrameException("socket addresses unavailable: " + e.getMessage());
        }
        TcpCmId child = listenId.incomingRequest(this, local, remote, data);
        if (child == null) {
            sendReject(NO_DATA);
            return;
        }
        cmId = child;
        phase = Phase.REQUEST_RECEIVED;
    }

    private void onAccept(FrameHeader header, byte[] data) {
        cancelTimer();
        peerPsn = header.psn;
        peerResources = (int) header.address;
        establishQueuePair();
        ControlFrame f = controlFrame(FrameType.READY_TO_USE);
        FrameCodec.encode(f.header, FrameType.READY_TO_USE, 0, 0, 0, 0, 0, 0, 0);
        enqueue(f);
        phase = Phase.ESTABLISHED;
        cmId.established(data);
    }

    private void onDisconnect() {
        cancelTimer();
        if (phase == Phase.ESTABLISHED) {
            qp.fail(null);
        }
        ControlFrame f = controlFrame(FrameType.DISCONNECT_REPLY);
        FrameCodec.encode(f.header, FrameType.DISCONNECT_REPLY, 0, 0, 0, 0, 0, 0, 0);
        enqueue(f);
        cmId.disconnected(0);
        startClosing();
    }

    /**
     * Ends the connection after an error: tells the id what the phase implies (UNREACHABLE, CONNECT_ERROR or
     * DISCONNECTED with {@code errno}); an established queue pair's first unfinished request gets
     * RETRY_EXCEEDED_ERROR, the rest are flushed.
     */
    void fail(int errno, String why) {
        Phase p = phase;
        if (p == Phase.CLOSED) {
            return;
        }
        if (errno == Errno.EPROTO || errno == Errno.EIO) {
            LOG.warn("connection {} failed: {}", describe(), why);
        } else {
            LOG.debug("connection {} failed: {}", describe(), why);
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
                qp.fail(null);
                cmId.connectError(errno);
            }
            case ESTABLISHED -> {
                qp.fail(WcStatus.RETRY_EXCEEDED_ERROR);
                cmId.disconnected(errno);
            }
            case DISCONNECTING -> cmId.disconnected(0);
            default -> {
            }
        }
    }

    private String describe() {
        try {
            return channel == null ? "(unconnected)" : channel.getLocalAddress() + "->" + channel.getRemoteAddress();
        } catch (IOException | RuntimeException e) {
            return "(closed)";
        }
    }

    private static int errnoOf(Exception e) {
        if (e instanceof java.net.ConnectException) {
            return Errno.ECONNREFUSED;
        }
        if (e instanceof java.net.NoRouteToHostException) {
            return Errno.EHOSTUNREACH;
        }
        if (e instanceof java.net.BindException) {
            return Errno.EADDRNOTAVAIL;
        }
        return Errno.ENETUNREACH;
    }

    private void closeNow() {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        cancelTimer();
        reader.close();
        writer.dropAll();
        if (requester != null) {
            requester.onError();
        }
        if (key != null) {
            key.cancel();
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing a socket failed", e);
            }
        }
    }

    private void startTimer(long ms, Runnable task) {
        cancelTimer();
        timer = io.schedule(TimeUnit.MILLISECONDS.toNanos(ms), task);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    // ---- queue pair events (IO thread) ----

    /** The queue pair entered the error state: stop placing, drop responses and ACKs; NAKs still go out. */
    void onQueuePairError() {
        reader.abandon();
        writer.dropResponses();
        if (requester != null) {
            requester.onError();
        }
    }

    /** The queue pair was destroyed: it stops, and an established connection is disconnected. */
    void onQueuePairClosed() {
        onQueuePairError();
        disconnect();
    }

    // ---- IO (IO thread) ----

    @Override
    public void onReady(SelectionKey k) {
        try {
            int ready = k.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0 && phase == Phase.CONNECTING) {
                try {
                    if (channel.finishConnect()) {
                        connected();
                    }
                } catch (IOException e) {
                    fail(errnoOf(e), "connect failed: " + e.getMessage());
                    return;
                }
            }
            if ((ready & SelectionKey.OP_READ) != 0 && phase != Phase.CLOSED && !reader.read(channel)) {
                onEof();
            }
            if (phase != Phase.CLOSED) {
                flush();
            }
        } catch (FrameException e) {
            fail(Errno.EPROTO, "protocol error: " + e.getMessage());
        } catch (IOException e) {
            fail(Errno.ECONNRESET, e.getMessage());
        }
    }

    @Override
    public void onFailure(Throwable failure) {
        LOG.error("connection {}: unexpected failure", describe(), failure);
        fail(Errno.EIO, String.valueOf(failure));
    }

    @Override
    public void onShutdown() {
        closeNow();
    }

    /** Writes what is queued, as much as the socket takes; the rest waits for OP_WRITE. IO thread. */
    void flush() {
        if (phase == Phase.CLOSED || phase == Phase.CONNECTING || key == null) {
            return;
        }
        try {
            writer.flush(channel, key, phase == Phase.ESTABLISHED || phase == Phase.ACCEPT_SENT);
        } catch (IOException e) {
            fail(Errno.ECONNRESET, e.getMessage());
        }
    }

    ControlFrame controlFrame(FrameType type) {
        return writer.controlFrame(type);
    }

    void enqueue(ControlFrame f) {
        writer.enqueue(f);
    }

    void enqueueNak(int psn, NakCode code) {
        writer.enqueueNak(psn, code);
    }

    private void onEof() {
        if (phase == Phase.DISCONNECTING) {
            cmId.disconnected(0);
            closeNow();
        } else if (phase == Phase.CLOSING) {
            closeNow();
        } else {
            fail(Errno.ECONNRESET, "closed by the peer");
        }
    }

    Phase phase() {
        return phase;
    }

    boolean isClosed() {
        return phase == Phase.CLOSED;
    }

    Requester requester() {
        return requester;
    }

    Responder responder() {
        return responder;
    }

    TcpQueuePair queuePair() {
        return qp;
    }
}
