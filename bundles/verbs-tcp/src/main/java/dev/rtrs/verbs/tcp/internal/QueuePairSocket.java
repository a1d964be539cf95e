package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import dev.rtrs.verbs.tcp.internal.CmExchange.Phase;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP socket carrying one queue pair, owned by one IO thread. Reads frames (header, then the payload straight
 * into its destination) and writes everything queued (control frames first, then send-queue frames) with gathering
 * writes; once the handshake is done its requester and responder are the queue pair's two halves on the wire.
 *
 * <p>Reading is {@link FrameReader}'s concern, writing {@link FrameWriter}'s, the connection-manager exchange and the
 * phase it moves this socket through {@link CmExchange}'s. A malformed or unexpected frame closes this socket only
 * ({@link CmExchange#fail}). Its IO thread's {@link SocketWatch} checks its ACK timeout and tells it when its link is
 * silenced or restored.
 */
final class QueuePairSocket implements IoThread.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(QueuePairSocket.class);

    private final ProviderRuntime runtime;
    private final TcpProviderOptions options;
    private volatile IoThread io;
    private SocketChannel channel;
    private SelectionKey key;
    private TcpQueuePair qp;
    private Requester requester;
    private Responder responder;
    /** Where this socket is in its IO thread's watch; -1 outside it. */
    int watchIndex = -1;
    /** Fault injection: no socket IO at all while set (see {@link ProviderRuntime#silence}). */
    private boolean silent;
    /** The {@link ProviderRuntime#faultEpoch()} {@link #silent} was last decided at. */
    private int faultEpoch;

    private InetAddress localIp;
    private InetAddress remoteIp;

    private final CmExchange cm;
    private final FrameReader reader;
    private final FrameWriter writer = new FrameWriter(this);

    private QueuePairSocket(
            ProviderRuntime runtime,
            IoThread io,
            SocketChannel channel,
            TcpCmId cmId,
            TcpCmId listenId,
            TcpQueuePair qp,
            Phase phase) {
        this.runtime = runtime;
        this.options = runtime.options();
        this.io = io;
        this.channel = channel;
        this.qp = qp;
        this.cm = new CmExchange(this, options, cmId, listenId, phase);
        this.reader = new FrameReader(this, cm, runtime.device().capabilities().maxScatterGatherEntries());
    }

    /** The socket of an active id; {@link #startActive} runs on the queue pair's IO thread. */
    static QueuePairSocket active(ProviderRuntime runtime, TcpCmId id, TcpQueuePair qp) {
        return new QueuePairSocket(runtime, qp.io, null, id, null, qp, Phase.CONNECTING);
    }

    /** A socket a listening socket accepted; {@link #startPassive} runs on {@code io}. */
    static QueuePairSocket passive(ProviderRuntime runtime, IoThread io, SocketChannel channel, TcpCmId listenId) {
        return new QueuePairSocket(runtime, io, channel, null, listenId, null, Phase.AWAIT_REQUEST);
    }

    IoThread io() {
        return io;
    }

    /** The connection-manager exchange on this socket; its operations run on {@link #io()}. */
    CmExchange cm() {
        return cm;
    }

    // ---- setting up (IO thread) ----

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
            cm.connecting(privateData, timeoutMs);
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
            cm.fail(errnoOf(e), "connect to " + destination + " failed: " + e.getMessage());
        }
    }

    private void connected() throws IOException {
        InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
        localIp = local.getAddress();
        decideSilence();
        cm.connected(local, (InetSocketAddress) channel.getRemoteAddress());
        key.interestOps(ops(SelectionKey.OP_READ));
        flush();
    }

    void startPassive() {
        io.watch().add(this);
        try {
            Sockets.configure(channel, options);
            localIp = localAddress().getAddress();
            remoteIp = remoteAddress().getAddress();
            decideSilence();
            key = io.register(channel, ops(SelectionKey.OP_READ), this);
            cm.awaitRequest();
        } catch (IOException | RuntimeException e) {
            cm.fail(Errno.EIO, "cannot register an accepted socket: " + e.getMessage());
        }
    }

    /** Runs {@code then} on {@code target}, after moving this socket to it if it is another IO thread. */
    void moveTo(IoThread target, Runnable then) {
        if (target == io) {
            then.run();
            return;
        }
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
                cm.fail(Errno.EIO, "cannot move the socket: " + e.getMessage());
                return;
            }
            then.run();
        });
    }

    /** The handshake is done: the queue pair's requester and responder start at the PSNs it exchanged. */
    void establish(TcpQueuePair queuePair, int localPsn, int peerPsn, int peerResources) {
        qp = queuePair;
        requester = new Requester(this, qp, localPsn, peerResources, options.rnrTimeoutMs());
        responder = new Responder(this, qp, peerPsn, options.responderResources());
        qp.readyToSend(this);
        if (requester.ackCheckPeriodNanos() != Long.MAX_VALUE) {
            io.watch().ackTimerStarted(requester.ackCheckPeriodNanos());
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

    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    InetSocketAddress remoteAddress() throws IOException {
        return (InetSocketAddress) channel.getRemoteAddress();
    }

    String describe() {
        try {
            return channel == null ? "(unconnected)" : channel.getLocalAddress() + "->" + channel.getRemoteAddress();
        } catch (IOException | RuntimeException e) {
            return "(closed)";
        }
    }

    private static int errnoOf(Exception e) {
        if (e instanceof ConnectException) {
            return Errno.ECONNREFUSED;
        }
        if (e instanceof NoRouteToHostException) {
            return Errno.EHOSTUNREACH;
        }
        if (e instanceof BindException) {
            return Errno.EADDRNOTAVAIL;
        }
        return Errno.ENETUNREACH;
    }

    // ---- closing (IO thread, told by the exchange) ----

    /**
     * Closes at once and resets the socket (SO_LINGER 0): whatever it still holds is discarded, as a destroyed queue
     * pair on a NIC retransmits nothing. A plain close would let the kernel keep sending it, so that requests the
     * transport already moved to another path could reach the peer later, over a link that came back.
     */
    void reset() {
        if (channel != null) {
            try {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException e) {
                LOG.debug("cannot set SO_LINGER", e);
            }
        }
        release();
    }

    /** Closes the socket and lets go of everything queued or being read. */
    void release() {
        io.watch().remove(this);
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

    /** After what is queued has left, the socket's output is shut down (orderly close). */
    void shutdownWhenFlushed() {
        writer.shutdownWhenFlushed();
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
        cm.disconnect();
    }

    // ---- the watch (IO thread) ----

    /**
     * The periodic ACK timeout check. An established socket whose requests got no acknowledgement progress for as
     * long as the queue pair's ACK timeout and retries allow ends as a broken link does: the oldest outstanding
     * request completes with RETRY_EXCEEDED_ERROR, the others are flushed, the socket closes so that the peer fails
     * too, and the id gets DISCONNECTED (ETIMEDOUT).
     *
     * @param stalled the check ran late because this thread did not run: timers restart rather than expire
     * @return how soon this socket needs the next check; {@link Long#MAX_VALUE} for never
     */
    long checkAckTimeout(long now, boolean stalled) {
        Requester r = requester;
        Phase phase = cm.phase();
        if (r == null || phase != Phase.ESTABLISHED && phase != Phase.ACCEPT_SENT) {
            return Long.MAX_VALUE;
        }
        // in ACCEPT_SENT the handshake timeout still guards the socket
        if (phase == Phase.ESTABLISHED && r.ackTimedOut(now, stalled)) {
            LOG.warn(
                    "connection {}: no acknowledgement for {} ms (ACK timeout {}, {} retries), its queue pair fails",
                    describe(),
                    TimeUnit.NANOSECONDS.toMillis(r.waitedNanos(now)),
                    qp.attributes.ackTimeout(),
                    qp.attributes.retryCount());
            cm.fail(Errno.ETIMEDOUT, "no acknowledgement within the ACK timeout");
            return Long.MAX_VALUE;
        }
        return r.ackCheckPeriodNanos();
    }

    /**
     * The silenced addresses changed: while this socket's local or remote address is silenced it neither reads nor
     * writes, and keeps everything queued, as if its link dropped every packet; restored, it resumes where it
     * stopped. Timers keep running, so the ACK timeout expires as on a silent link.
     */
    void applyFaults() {
        if (cm.isClosed() || remoteIp == null) {
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
            key.interestOps(cm.phase() == Phase.CONNECTING ? SelectionKey.OP_CONNECT : SelectionKey.OP_READ);
            flush();
        }
    }

    /** Whether the silenced addresses changed since this socket last looked. */
    boolean faultsChanged() {
        return faultEpoch != runtime.faultEpoch();
    }

    /** The socket took bytes again after it was full: the peer's TCP acknowledged part of what was sent. */
    void peerTookData() {
        if (requester != null) {
            requester.progressed();
        }
    }

    /** For tests: an option of the socket. Any thread, once it is open. */
    <T> T socketOption(SocketOption<T> option) throws IOException {
        return channel.getOption(option);
    }

    // ---- IO (IO thread) ----

    @Override
    public void onReady(SelectionKey k) {
        if (faultsChanged()) {
            applyFaults();
        }
        if (silent) {
            return;
        }
        try {
            int ready = k.readyOps();
            if ((ready & SelectionKey.OP_CONNECT) != 0 && cm.phase() == Phase.CONNECTING) {
                try {
                    if (channel.finishConnect()) {
                        connected();
                    }
                } catch (IOException e) {
                    cm.fail(errnoOf(e), "connect failed: " + e.getMessage());
                    return;
                }
            }
            if ((ready & SelectionKey.OP_READ) != 0 && !cm.isClosed() && !reader.read(channel)) {
                cm.onEof();
            }
            if (!cm.isClosed()) {
                flush();
            }
        } catch (FrameException e) {
            cm.fail(Errno.EPROTO, "protocol error: " + e.getMessage());
        } catch (IOException e) {
            cm.fail(Errno.ECONNRESET, e.getMessage());
        }
    }

    @Override
    public void onFailure(Throwable failure) {
        LOG.error("connection {}: unexpected failure", describe(), failure);
        cm.fail(Errno.EIO, String.valueOf(failure));
    }

    @Override
    public void onShutdown() {
        cm.closeNow();
    }

    /** Writes what is queued, as much as the socket takes; the rest waits for OP_WRITE. IO thread. */
    void flush() {
        Phase phase = cm.phase();
        if (phase == Phase.CLOSED || phase == Phase.CONNECTING || key == null) {
            return;
        }
        if (faultsChanged()) {
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
            cm.fail(Errno.ECONNRESET, e.getMessage());
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

    boolean isClosed() {
        return cm.isClosed();
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
