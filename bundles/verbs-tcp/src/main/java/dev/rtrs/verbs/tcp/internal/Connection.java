package dev.rtrs.verbs.tcp.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
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
 * concern, writing {@link FrameWriter}'s. Its IO thread's {@link ConnectionWatch} checks its ACK timeout and tells it
 * when its link is silenced or restored.
 */
final class Connection implements IoThread.Handler {

    enum Phase {
        CONNECTING, AWAIT_REQUEST, REQUEST_SENT, REQUEST_RECEIVED, ACCEPT_SENT, ESTABLISHED, DISCONNECTING, CLOSING,
        CLOSED
    }

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final byte[] NO_DATA = new byte[0];

    private final ProviderRuntime runtime;
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
    /** Where this connection is in its IO thread's watch; -1 outside it. */
    int watchIndex = -1;
    /** Fault injection: no socket IO at all while set (see {@link ProviderRuntime#silence}). */
    private boolean silent;
    /** The {@link ProviderRuntime#faultEpoch()} {@link #silent} was last decided at. */
    private int faultEpoch;
    private InetAddress localIp;
    private InetAddress remoteIp;

    private final FrameReader reader;

    private final FrameWriter writer = new FrameWriter(this);
    private byte[] pendingPrivateData;
    private int localPsn;
    private int peerPsn;
    private int peerResources;

    private Connection(ProviderRuntime runtime, IoThread io, SocketChannel channel, TcpCmId cmId, TcpCmId listenId,
            TcpQueuePair qp, Phase phase) {
        this.runtime = runtime;
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
        io.watch().add(this);
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            Sockets.configure(channel, options);
            if (source != null) {
                channel.bind(source);
            }
            key = io.register(channel, 0, this);
            startTimer(timeoutMs, () -> fail(Errno.ETIMEDOUT, "no answer within " + timeoutMs + " ms"));
            pendingPrivateData = privateData;
            // a silenced link stays silent from the first frame; the local address is known once connected
            remoteIp = destination.getAddress();
            localIp = source != null ? source.getAddress() : null;
            decideSilence();
            if (channel.connect(destination)) {
                connected();
            } else {
                key.interestOps(ops(SelectionKey.OP_CONNECT));
            }
        } catch (IOException | RuntimeException e) {
            fail(errnoOf(e), "connect to " + destination + " failed: " + e.getMessage());
        }
    }

    private void connected() throws IOException {
        InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
        cmId.connected(local, (InetSocketAddress) channel.getRemoteAddress());
        localIp = local.getAddress();
        decideSilence();
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
        key.interestOps(ops(SelectionKey.OP_READ));
        flush();
    }

    void startPassive() {
        io.watch().add(this);
        try {
            Sockets.configure(channel, options);
            localIp = ((InetSocketAddress) channel.getLocalAddress()).getAddress();
            remoteIp = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
            decideSilence();
            key = io.register(channel, ops(SelectionKey.OP_READ), this);
            startTimer(options.handshakeTimeoutMs(), () -> fail(Errno.ETIMEDOUT, "no connect request"));
        } catch (IOException | RuntimeException e) {
            fail(Errno.EIO, "cannot register an accepted socket: " + e.getMessage());
        }
    }

    /** Whether the link is silenced now (the epoch first: a change seen there is in the set too). */
    private void decideSilence() {
        faultEpoch = runtime.faultEpoch();
        silent = runtime.isSilenced(localIp, remoteIp);
    }

    /** The selector interest for {@code wanted}: none while the link is silent. */
    private int ops(int wanted) {
        return silent ? 0 : wanted;
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
        io.watch().remove(this);
        io = target;
        target.execute(() -> {
            target.watch().add(this);
            try {
                decideSilence();
                key = target.register(channel, ops(SelectionKey.OP_READ), this);
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
        if (requester.ackCheckPeriodNanos() != Long.MAX_VALUE) {
            io.watch().ackTimerStarted(requester.ackCheckPeriodNanos());
        }
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
        if (phase != Phase.CLOSED) {
            fail(Errno.ECONNRESET, "connection aborted");
        }
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

    /**
     * Closes at once and resets the socket (SO_LINGER 0): whatever it still holds is discarded, as a destroyed queue
     * pair on a NIC retransmits nothing. A plain close would let the kernel keep sending it, so that requests the
     * transport already moved to another path could reach the peer later, over a link that came back.
     */
    private void closeNow() {
        if (phase == Phase.CLOSED) {
            return;
        }
        if (channel != null) {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot set SO_LINGER", e);
            }
        }
        release();
    }

    /** Closes after the peer ended the connection in order: what was sent has been read, nothing to discard. */
    private void closeGracefully() {
        if (phase != Phase.CLOSED) {
            release();
        }
    }

    private void release() {
        phase = Phase.CLOSED;
        io.watch().remove(this);
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

    // ---- the watch (IO thread) ----

    /**
     * The periodic ACK timeout check. An established connection whose requests got no acknowledgement progress for
     * as long as the queue pair's ACK timeout and retries allow ends as a broken link does: the oldest outstanding
     * request completes with RETRY_EXCEEDED_ERROR, the others are flushed, the socket closes so that the peer fails
     * too, and the id gets DISCONNECTED (ETIMEDOUT).
     *
     * @param stalled the check ran late because this thread did not run: timers restart rather than expire
     * @return how soon this connection needs the next check; {@link Long#MAX_VALUE} for never
     */
    long checkAckTimeout(long now, boolean stalled) {
        Requester r = requester;
        if (r == null || phase != Phase.ESTABLISHED && phase != Phase.ACCEPT_SENT) {
            return Long.MAX_VALUE;
        }
        // in ACCEPT_SENT the handshake timeout still guards the connection
        if (phase == Phase.ESTABLISHED && r.ackTimedOut(now, stalled)) {
            LOG.warn("connection {}: no acknowledgement for {} ms (ACK timeout {}, {} retries), its queue pair fails",
                    describe(), TimeUnit.NANOSECONDS.toMillis(r.waitedNanos(now)), qp.attributes.ackTimeout(),
                    qp.attributes.retryCount());
            fail(Errno.ETIMEDOUT, "no acknowledgement within the ACK timeout");
            return Long.MAX_VALUE;
        }
        return r.ackCheckPeriodNanos();
    }

    /**
     * The silenced addresses changed: while this connection's local or remote address is silenced it neither reads
     * nor writes its socket, and keeps everything queued, as if its link dropped every packet; restored, it resumes
     * where it stopped. Timers keep running, so the ACK timeout expires as on a silent link.
     */
    void applyFaults() {
        if (phase == Phase.CLOSED || remoteIp == null) {
            return;
        }
        boolean was = silent;
        decideSilence();
        boolean on = silent;
        if (on == was) {
            return;
        }
        LOG.debug("connection {} {}", describe(), on ? "silenced" : "restored");
        if (key == null || !key.isValid()) {
            return;
        }
        if (on) {
            key.interestOps(0);
            writer.interestCleared();
        } else {
            key.interestOps(phase == Phase.CONNECTING ? SelectionKey.OP_CONNECT : SelectionKey.OP_READ);
            flush();
        }
    }

    /** Whether the silenced addresses changed since this connection last looked. */
    boolean faultsChanged() {
        return faultEpoch != runtime.faultEpoch();
    }

    /** The socket took bytes again after it was full: the peer's TCP acknowledged part of what was sent. */
    void peerTookData() {
        if (requester != null) {
            requester.progressed();
        }
    }

    /** For tests: an option of this connection's socket. Any thread, once the connection exists. */
    <T> T socketOption(SocketOption<T> option) throws IOException {
        return channel.getOption(option);
    }

    // ---- IO (IO thread) ----

    @Override
    public void onReady(SelectionKey k) {
        if (faultEpoch != runtime.faultEpoch()) {
            applyFaults();
        }
        if (silent) {
            return;
        }
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
        if (faultEpoch != runtime.faultEpoch()) {
            applyFaults();
        }
        boolean established = phase == Phase.ESTABLISHED || phase == Phase.ACCEPT_SENT;
        if (silent) {
            // a silent link swallows what is sent: requests still get their frames (and so their PSNs, and the ACK
            // timeout starts), local operations still run, but every frame stays queued until the link is restored
            writer.queue(established);
            return;
        }
        try {
            if (!writer.flush(channel, key, established)) {
                // the silenced addresses changed while frames were built: decide again before writing them
                flush();
            }
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
            closeGracefully();
        } else if (phase == Phase.CLOSING) {
            closeGracefully();
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
