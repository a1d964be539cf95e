package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventHandler;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection-manager id. Operations check the state under this id's lock and hand the work to an IO thread
 * or the event threads; none waits for anything, so handlers may call them (no lock is held while a handler
 * runs). Events are queued per id and delivered one at a time on the provider's event threads.
 */
public final class TcpCmId implements CmId {

    private static final Logger LOG = LoggerFactory.getLogger(TcpCmId.class);
    private static final byte[] NO_DATA = new byte[0];

    enum State {
        IDLE,
        BOUND,
        ADDR_QUERY,
        ADDR_RESOLVED,
        ROUTE_QUERY,
        ROUTE_RESOLVED,
        LISTENING,
        CONNECTING,
        CONNECT_REQUEST,
        ACCEPTED,
        ESTABLISHED,
        DISCONNECTING,
        DISCONNECTED,
        FAILED,
        CLOSED
    }

    private final ProviderRuntime runtime;
    private final TcpCmId listenId;
    private final ArrayDeque<CmEvent> events = new ArrayDeque<>(); // guarded by this
    private final Runnable drain = this::drainEvents;
    private boolean delivering; // guarded by this
    private volatile CmEventHandler handler;
    private State state = State.IDLE; // guarded by this
    private RdmaDevice device;
    private InetSocketAddress bound;
    private InetSocketAddress source;
    private InetSocketAddress destination;
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress remote;
    private TcpQueuePair qp;
    private QueuePairSocket socket;
    private ListeningSocket listeningSocket;

    TcpCmId(ProviderRuntime runtime, CmEventHandler handler) {
        this(runtime, handler, null);
    }

    private TcpCmId(ProviderRuntime runtime, CmEventHandler handler, TcpCmId listenId) {
        this.runtime = runtime;
        this.handler = handler;
        this.listenId = listenId;
    }

    @Override
    public VerbsProvider provider() {
        return runtime.provider();
    }

    @Override
    public synchronized RdmaDevice device() {
        return device;
    }

    @Override
    public void setEventHandler(CmEventHandler h) {
        if (h == null) {
            throw new IllegalArgumentException("handler must not be null");
        }
        handler = h;
    }

    /** Any thread; non-blocking. @throws VerbsException EADDRNOTAVAIL when the address is not this host's */
    @Override
    public synchronized void bind(InetSocketAddress address) throws VerbsException {
        checkState(State.IDLE, "bind");
        if (address == null || address.isUnresolved()) {
            throw new VerbsException(Errno.EINVAL, "bind needs a resolved address");
        }
        if (!Addresses.isLocal(address.getAddress())) {
            throw new VerbsException(Errno.EADDRNOTAVAIL, address.getAddress() + " is not an address of this host");
        }
        bound = address;
        local = address;
        device = runtime.device();
        state = State.BOUND;
    }

    /** Binds the listening socket (the port of a port-0 address is chosen here). Any thread; non-blocking. */
    @Override
    public synchronized void listen(int backlog) throws VerbsException {
        checkState(State.BOUND, "listen");
        ServerSocketChannel ch = null;
        try {
            ch = ServerSocketChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.configureBlocking(false);
            ch.bind(bound, Math.max(0, backlog));
            local = (InetSocketAddress) ch.getLocalAddress();
        } catch (BindException e) {
            closeQuietly(ch);
            throw new VerbsException(Errno.EADDRINUSE, "cannot listen on " + bound + ": " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new VerbsException(Errno.EIO, "cannot listen on " + bound + ": " + e.getMessage(), e);
        }
        listeningSocket = new ListeningSocket(runtime, this, ch, runtime.nextIoThread());
        listeningSocket.start();
        state = State.LISTENING;
    }

    /** Any thread; non-blocking: the checks run on an event thread, ADDR_RESOLVED or ADDR_ERROR follows. */
    @Override
    public synchronized void resolveAddress(InetSocketAddress src, InetSocketAddress dst, int timeoutMs)
            throws VerbsException {
        if (state != State.IDLE && state != State.BOUND) {
            throw wrongState("resolveAddress");
        }
        if (dst == null) {
            throw new VerbsException(Errno.EINVAL, "no destination");
        }
        State back = state;
        source = src != null ? src : bound;
        state = State.ADDR_QUERY;
        try {
            runtime.events().execute(() -> resolve(dst, back));
        } catch (RejectedExecutionException e) {
            state = back;
            throw new VerbsException(Errno.ENODEV, "the provider is closed");
        }
    }

    private void resolve(InetSocketAddress dst, State back) {
        int errno = 0;
        InetSocketAddress resolved = null;
        try {
            resolved = Addresses.resolve(dst);
            InetSocketAddress src = source;
            if (src != null && !Addresses.isLocal(src.getAddress())) {
                errno = Errno.EADDRNOTAVAIL;
            } else if (src != null && !Addresses.sameFamily(src.getAddress(), resolved.getAddress())) {
                errno = Errno.EINVAL;
            }
        } catch (UnknownHostException | RuntimeException e) {
            errno = Errno.EHOSTUNREACH;
        }
        synchronized (this) {
            if (state != State.ADDR_QUERY) {
                return;
            }
            if (errno != 0) {
                state = back;
            } else {
                destination = resolved;
                remote = resolved;
                device = runtime.device();
                state = State.ADDR_RESOLVED;
            }
        }
        deliver(
                errno == 0
                        ? CmEvent.of(CmEventType.ADDR_RESOLVED, this)
                        : new CmEvent(CmEventType.ADDR_ERROR, this, null, errno, null));
    }

    /** Any thread; non-blocking: ROUTE_RESOLVED follows (TCP routes itself). */
    @Override
    public void resolveRoute(int timeoutMs) throws VerbsException {
        synchronized (this) {
            checkState(State.ADDR_RESOLVED, "resolveRoute");
            state = State.ROUTE_RESOLVED;
        }
        deliver(CmEvent.of(CmEventType.ROUTE_RESOLVED, this));
    }

    /** Any thread; non-blocking. */
    @Override
    public synchronized QueuePair createQueuePair(ProtectionDomain pd, QueuePairAttributes attributes)
            throws VerbsException {
        if (state == State.CLOSED) {
            throw new VerbsException(Errno.EBADF, "id is closed");
        }
        if (device == null || state == State.LISTENING) {
            throw new VerbsException(
                    Errno.EINVAL, "no device: resolve the address first (or use a connect request's id)");
        }
        if (qp != null) {
            throw new VerbsException(Errno.EINVAL, "the id already has a queue pair");
        }
        if (!(pd instanceof TcpProtectionDomain tpd) || tpd.tcpDevice() != device) {
            throw new VerbsException(Errno.EINVAL, "protection domain of another device");
        }
        if (!ownCq(attributes.sendCq()) || !ownCq(attributes.receiveCq())) {
            throw new VerbsException(Errno.EINVAL, "completion queue of another device");
        }
        DeviceCapabilities caps = device.capabilities();
        if (attributes.maxSendWr() > caps.maxQueuePairWorkRequests()
                || attributes.maxReceiveWr() > caps.maxQueuePairWorkRequests()
                || attributes.maxSendSge() > caps.maxScatterGatherEntries()
                || attributes.maxReceiveSge() > caps.maxScatterGatherEntries()) {
            throw new VerbsException(Errno.EINVAL, "queue pair sizes above the device's limits " + caps);
        }
        // the provider's defaults fill in what the caller left open, so that attributes() shows what is in force
        QueuePairAttributes resolved = attributes;
        if (resolved.ackTimeout() == QueuePairAttributes.PROVIDER_DEFAULT) {
            resolved = resolved.withAckTimeout(runtime.options().ackTimeout());
        }
        if (resolved.retryCount() == QueuePairAttributes.PROVIDER_DEFAULT) {
            resolved = resolved.withRetryCount(runtime.options().retryCount());
        }
        qp = new TcpQueuePair(this, tpd, resolved, runtime.device().nextQueuePairNumber());
        return qp;
    }

    private boolean ownCq(CompletionQueue cq) {
        return cq instanceof TcpCompletionQueue && cq.device() == device;
    }

    @Override
    public synchronized QueuePair queuePair() {
        return qp;
    }

    synchronized void queuePairClosed(TcpQueuePair closed) {
        if (qp == closed) {
            qp = null;
        }
    }

    /** Any thread; non-blocking: ESTABLISHED, REJECTED or UNREACHABLE follows. */
    @Override
    public synchronized void connect(byte[] privateData, int timeoutMs) throws VerbsException {
        checkState(State.ROUTE_RESOLVED, "connect");
        byte[] data = checkPrivateData(privateData);
        if (qp == null) {
            throw new VerbsException(Errno.EINVAL, "create the queue pair before connecting");
        }
        if (timeoutMs <= 0) {
            throw new VerbsException(Errno.EINVAL, "timeout must be positive");
        }
        TcpQueuePair q = qp;
        QueuePairSocket s = QueuePairSocket.active(runtime, this, q);
        socket = s;
        state = State.CONNECTING;
        InetSocketAddress src = source;
        InetSocketAddress dst = destination;
        q.io.execute(() -> s.startActive(src, dst, data, timeoutMs));
    }

    /** Any thread; non-blocking: the peer sees ESTABLISHED, then so does this id. */
    @Override
    public synchronized void accept(byte[] privateData) throws VerbsException {
        checkState(State.CONNECT_REQUEST, "accept");
        byte[] data = checkPrivateData(privateData);
        if (qp == null) {
            throw new VerbsException(Errno.EINVAL, "create the queue pair before accepting");
        }
        TcpQueuePair q = qp;
        QueuePairSocket s = socket;
        state = State.ACCEPTED;
        s.io().execute(() -> s.cm().accept(q, data));
    }

    /** Any thread; non-blocking: the peer sees REJECTED with {@code privateData}. */
    @Override
    public synchronized void reject(byte[] privateData) throws VerbsException {
        checkState(State.CONNECT_REQUEST, "reject");
        byte[] data = checkPrivateData(privateData);
        QueuePairSocket s = socket;
        state = State.FAILED;
        s.io().execute(() -> s.cm().reject(data));
    }

    /** Any thread; non-blocking: both sides get DISCONNECTED. */
    @Override
    public synchronized void disconnect() {
        if (state != State.ESTABLISHED && state != State.ACCEPTED) {
            return;
        }
        state = State.DISCONNECTING;
        QueuePairSocket s = socket;
        s.io().execute(s.cm()::disconnect);
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /**
     * Fault injection for tests: resets this id's TCP connection as if the host had vanished. Both sides see
     * DISCONNECTED (ECONNRESET) and fail their outstanding work.
     */
    public void abortConnection() {
        QueuePairSocket s;
        synchronized (this) {
            s = socket;
        }
        if (s != null) {
            s.io().execute(s.cm()::abort);
        }
    }

    /** For tests: the socket of this id, once it connects or receives a request. */
    synchronized QueuePairSocket socket() {
        return socket;
    }

    /** Any thread; non-blocking. Disconnects (or rejects a pending request) and drops later events. */
    @Override
    public void close() {
        State previous;
        QueuePairSocket s;
        ListeningSocket l;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            previous = state;
            state = State.CLOSED;
            events.clear();
            s = socket;
            l = listeningSocket;
        }
        runtime.forget(this);
        if (l != null) {
            l.close();
        }
        if (s != null) {
            CmExchange cm = s.cm();
            switch (previous) {
                case CONNECT_REQUEST -> s.io().execute(() -> cm.reject(NO_DATA));
                case ACCEPTED, ESTABLISHED -> s.io().execute(cm::disconnect);
                case CONNECTING -> s.io().execute(cm::closeNow);
                default -> {}
            }
        }
    }

    // ---- called by the provider (IO threads) ----

    /** On the listening id: a connect request arrived. @return the new id, or null when not listening any more */
    TcpCmId incomingRequest(
            QueuePairSocket s, InetSocketAddress localAddress, InetSocketAddress remoteAddress, byte[] privateData) {
        synchronized (this) {
            if (state != State.LISTENING) {
                return null;
            }
        }
        TcpCmId child = new TcpCmId(runtime, handler, this);
        synchronized (child) {
            child.state = State.CONNECT_REQUEST;
            child.socket = s;
            child.device = device;
            child.local = localAddress;
            child.remote = remoteAddress;
        }
        runtime.register(child);
        child.deliver(new CmEvent(CmEventType.CONNECT_REQUEST, child, this, 0, privateData));
        return child;
    }

    void connected(InetSocketAddress localAddress, InetSocketAddress remoteAddress) {
        local = localAddress;
        remote = remoteAddress;
    }

    void established(byte[] privateData) {
        if (transition(State.ESTABLISHED, State.CONNECTING, State.ACCEPTED)) {
            deliver(new CmEvent(CmEventType.ESTABLISHED, this, null, 0, privateData));
        }
    }

    void rejected(byte[] privateData) {
        if (transition(State.FAILED, State.CONNECTING)) {
            deliver(new CmEvent(CmEventType.REJECTED, this, null, Errno.ECONNREFUSED, privateData));
        }
    }

    void unreachable(int errno) {
        if (transition(State.FAILED, State.CONNECTING)) {
            deliver(new CmEvent(CmEventType.UNREACHABLE, this, null, errno, null));
        }
    }

    void connectError(int errno) {
        if (transition(State.FAILED, State.CONNECTING, State.CONNECT_REQUEST, State.ACCEPTED)) {
            deliver(new CmEvent(CmEventType.CONNECT_ERROR, this, null, errno, null));
        }
    }

    void disconnected(int errno) {
        if (transition(State.DISCONNECTED, State.ESTABLISHED, State.DISCONNECTING)) {
            deliver(new CmEvent(CmEventType.DISCONNECTED, this, null, errno, null));
        }
    }

    private synchronized boolean transition(State to, State... from) {
        for (State s : from) {
            if (state == s) {
                state = to;
                return true;
            }
        }
        return false;
    }

    /** Queues an event for this id's handler; delivered in order on an event thread. */
    void deliver(CmEvent event) {
        synchronized (this) {
            if (state == State.CLOSED || runtime.isClosed()) {
                return;
            }
            events.add(event);
            if (delivering) {
                return;
            }
            delivering = true;
        }
        try {
            runtime.events().execute(drain);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                delivering = false;
                events.clear();
            }
        }
    }

    private void drainEvents() {
        for (; ; ) {
            CmEvent e;
            synchronized (this) {
                e = state == State.CLOSED ? null : events.poll();
                if (e == null) {
                    events.clear();
                    delivering = false;
                    return;
                }
            }
            try {
                handler.onEvent(e);
            } catch (Throwable t) {
                LOG.error("connection-manager handler failed on {}", e, t);
            }
        }
    }

    private void checkState(State expected, String operation) throws VerbsException {
        if (state != expected) {
            throw wrongState(operation);
        }
    }

    private VerbsException wrongState(String operation) {
        return new VerbsException(
                state == State.CLOSED ? Errno.EBADF : Errno.EINVAL, operation + " is not allowed in state " + state);
    }

    private static byte[] checkPrivateData(byte[] privateData) throws VerbsException {
        if (privateData == null) {
            return NO_DATA;
        }
        if (privateData.length > MAX_PRIVATE_DATA) {
            throw new VerbsException(
                    Errno.EINVAL,
                    privateData.length + " bytes of private data, at most " + MAX_PRIVATE_DATA + " allowed");
        }
        return privateData.clone();
    }

    private static void closeQuietly(ServerSocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                LOG.debug("close failed", e);
            }
        }
    }

    @Override
    public String toString() {
        return "CmId[" + state + ", local=" + local + ", remote=" + remote + "]";
    }
}
