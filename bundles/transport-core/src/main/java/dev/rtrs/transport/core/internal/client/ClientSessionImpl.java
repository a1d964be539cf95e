package dev.rtrs.transport.core.internal.client;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.rtrs.transport.ClientLinkListener;
import dev.rtrs.transport.ClientLinkListener.LinkEvent;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.IoCallback;
import dev.rtrs.transport.MultipathPolicy;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.SessionState;
import dev.rtrs.transport.TransportException;
import dev.rtrs.transport.core.internal.policy.RoundRobinSelector;
import dev.rtrs.transport.core.internal.wire.ConRsp;
import dev.rtrs.transport.core.internal.wire.ReadMsg;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.WriteMsg;
import dev.rtrs.verbs.Errno;
import dev.rtrs.verbs.VerbsProvider;

/**
 * A client session: its paths, its permits (one per server chunk) and the IO between them.
 *
 * <p>Locking: a path calls into the session while holding its own lock; the session therefore never calls
 * a path's locked methods inline from such a call, but hands that work (fail-over, reconnect, link events)
 * to its executor, which runs one task at a time.
 */
public final class ClientSessionImpl implements ClientSession {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSessionImpl.class);
    /** Most permits a client session uses, whatever the server grants (it sizes the receive queues). */
    static final int MAX_QUEUE_DEPTH = 1024;

    private final ClientSessionOptions options;
    private final ClientLinkListener listener;
    private final Function<String, VerbsProvider> providers;
    private final PolicySource policies;
    private final ScheduledExecutorService scheduler;
    private final Executor executor;
    private final UUID uuid = UUID.randomUUID();
    private final List<ClientPath> paths = new ArrayList<>();
    private final CountDownLatch firstOutcome;
    private volatile List<ClientPath> connected = List.of();
    private volatile MultipathPolicy.PathSelector selector;
    private volatile String policyName;
    private volatile SessionState state = SessionState.CONNECTING;
    private volatile int lastErrno = Errno.ECONNREFUSED;
    private volatile String lastFailure = "not connected";
    private volatile Runnable closeHook = () -> { };

    // set by the first path that connects
    private ClientIo[] ios;
    private PermitPool pool;
    private ByteBuffer permitMemory;
    private int chunkSize;
    private int maxIoSize;
    private int maxHeaderSize;

    /** Where a session finds its multipath policy by name. */
    public interface PolicySource {
        /** The selector of the named policy, or of the built-in round-robin while it is absent. */
        MultipathPolicy.PathSelector selector(String name);

        /** Whether the named policy is installed. */
        boolean isInstalled(String name);
    }

    public ClientSessionImpl(ClientSessionOptions options, ClientLinkListener listener,
            Function<String, VerbsProvider> providers,
            PolicySource policies, ScheduledExecutorService scheduler, Executor serialExecutor) {
        this.options = options;
        this.listener = listener;
        this.providers = providers;
        this.policies = policies;
        this.scheduler = scheduler;
        this.executor = serialExecutor;
        this.policyName = options.policy();
        this.selector = policies.selector(options.policy());
        for (int i = 0; i < options.paths().size(); i++) {
            paths.add(new ClientPath(this, i, options.paths().get(i), options.connectionsPerPath()));
        }
        this.firstOutcome = new CountDownLatch(1);
    }

    /** Connects every path; returns once one is connected, or throws when none could be. */
    public void open() throws TransportException {
        for (ClientPath p : paths) {
            p.connect();
        }
        try {
            if (!firstOutcome.await(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new TransportException(Errno.ETIMEDOUT, "session " + name() + ": no path connected within "
                        + options.connectTimeout().toMillis() + " ms (last: " + lastFailure + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new TransportException(Errno.EINTR, "interrupted while opening session " + name());
        }
        if (connected.isEmpty()) {
            int errno = lastErrno;
            String why = lastFailure;
            close();
            throw new TransportException(errno, "session " + name() + ": no path could be connected: " + why);
        }
    }

    /** The session's verbs provider as it is now: it may have been replaced, or be absent, since the last attempt. */
    VerbsProvider provider() {
        return providers.apply(options.provider());
    }

    String providerName() {
        return options.provider();
    }

    Executor executor() {
        return executor;
    }

    int connectTimeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
    }

    // ---- called by paths (path lock held) ----

    /** Sets up the permits on the first connected path; later paths must agree with it. */
    synchronized ByteBuffer pathReady(ClientPath path, ConRsp rsp) throws TransportException {
        int chunk = rsp.maxIoSize() + rsp.maxHdrSize();
        if (ios == null) {
            int depth = Math.min(rsp.queueDepth(), MAX_QUEUE_DEPTH);
            chunkSize = chunk;
            maxIoSize = rsp.maxIoSize();
            maxHeaderSize = rsp.maxHdrSize();
            permitMemory = ByteBuffer.allocateDirect(depth * chunk);
            ios = new ClientIo[depth];
            for (int i = 0; i < depth; i++) {
                ClientIo io = new ClientIo(i, options.permitUserAreaSize());
                io.base = i * chunk;
                ByteBuffer b = permitMemory.duplicate();
                b.limit(io.base + chunk).position(io.base);
                io.buffer = b.slice();
                ios[i] = io;
            }
            pool = new PermitPool(ios);
        } else if (chunk != chunkSize || rsp.queueDepth() < ios.length) {
            throw new TransportException(Errno.EINVAL, "path " + path.address + " offers " + rsp.queueDepth()
                    + " chunks of " + chunk + " bytes, the session uses " + ios.length + " of " + chunkSize);
        }
        return permitMemory;
    }

    void pathConnected(ClientPath path) {
        executor.execute(() -> {
            SessionState before = state;
            if (before == SessionState.CLOSED) {
                return;
            }
            refreshConnected();
            state = SessionState.CONNECTED;
            firstOutcome.countDown();
            if (before == SessionState.CONNECTING) {
                notifyListener(LinkEvent.CONNECTED);
            } else if (before == SessionState.RECONNECTING) {
                notifyListener(LinkEvent.RECONNECTED);
            }
        });
    }

    void pathAttemptFailed(ClientPath path, int errno, String why) {
        lastErrno = errno;
        lastFailure = why;
        executor.execute(() -> {
            if (state == SessionState.CONNECTING && paths.stream().allMatch(p -> p.failedAttempts > 0)) {
                firstOutcome.countDown();
            }
            scheduleReconnect(path);
        });
    }

    void pathLost(ClientPath path) {
        executor.execute(() -> {
            refreshConnected();
            failOver(path);
            if (connected.isEmpty() && state == SessionState.CONNECTED) {
                state = SessionState.RECONNECTING;
                notifyListener(LinkEvent.DISCONNECTED);
            }
            scheduleReconnect(path);
        });
    }

    // ---- executor tasks ----

    private void refreshConnected() {
        List<ClientPath> list = new ArrayList<>();
        for (ClientPath p : paths) {
            if (p.isConnected()) {
                list.add(p);
            }
        }
        connected = List.copyOf(list);
    }

    private void scheduleReconnect(ClientPath path) {
        if (state == SessionState.CLOSED || path.state() == PathState.CLOSED) {
            return;
        }
        int max = options.maxReconnectAttempts();
        if (max >= 0 && path.failedAttempts > max) {
            LOG.warn("session {}: path {} given up after {} failed attempts", name(), path.address, path.failedAttempts);
            path.close();
            return;
        }
        scheduler.schedule(() -> {
            if (state != SessionState.CLOSED) {
                path.connect();
            }
        }, options.reconnectDelay().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Moves the IOs in flight on a lost path to a connected one, or fails them. */
    private void failOver(ClientPath lost) {
        if (ios == null) {
            return;
        }
        for (ClientIo io : ios) {
            if (io.path != lost || !io.isInFlight()) {
                continue;
            }
            lost.counters.ioLeft();
            lost.counters.failedOver();
            boolean moved = false;
            for (ClientPath p : connected) {
                if (p != lost && p.post(io)) {
                    moved = true;
                    break;
                }
            }
            if (!moved && io.finishIo()) {
                io.callback.onComplete(Errno.ECONNABORTED);
            }
        }
    }

    private void notifyListener(LinkEvent event) {
        if (listener == null) {
            return;
        }
        try {
            listener.onLinkEvent(this, event);
        } catch (RuntimeException e) {
            LOG.warn("session {}: link listener failed on {}", name(), event, e);
        }
    }

    // ---- IO completion (completion thread) ----

    /** Completes the IO of chunk {@code msgId}; false when none is in flight on {@code path}. */
    boolean complete(ClientPath path, int msgId, int errno) {
        ClientIo[] table = ios;
        if (table == null || msgId >= table.length) {
            return false;
        }
        ClientIo io = table[msgId];
        if (io.path != path || !io.finishIo()) {
            return false;
        }
        if (io.direction == Direction.READ) {
            if (errno == 0) {
                scatter(io);
            }
            path.counters.readDone(io.dataLength);
        } else {
            path.counters.writeDone(io.dataLength);
        }
        try {
            io.callback.onComplete(errno);
        } catch (RuntimeException e) {
            LOG.warn("session {}: IO callback failed", name(), e);
        }
        return true;
    }

    private static void scatter(ClientIo io) {
        int offset = 0;
        for (ByteBuffer b : io.data) {
            int n = b.remaining();
            ByteBuffer src = io.buffer.duplicate();
            src.limit(offset + n).position(offset);
            b.duplicate().put(src);
            offset += n;
        }
    }

    // ---- ClientSession ----

    @Override
    public String name() {
        return options.sessionName();
    }

    @Override
    public UUID uuid() {
        return uuid;
    }

    @Override
    public SessionState state() {
        return state;
    }

    @Override
    public synchronized int queueDepth() {
        return ios == null ? 0 : ios.length;
    }

    @Override
    public synchronized int maxIoSize() {
        return maxIoSize;
    }

    @Override
    public synchronized int maxHeaderSize() {
        return Math.max(0, maxHeaderSize - ReadMsg.size(1));
    }

    /** The configured policy, or the fallback in use while it is not installed. */
    @Override
    public String policy() {
        return policies.isInstalled(policyName) ? policyName
                : RoundRobinSelector.NAME + " (" + policyName + " is not installed)";
    }

    /** Runs once when the session is closed. */
    public void onClose(Runnable hook) {
        this.closeHook = hook;
    }

    /** Re-reads the policy after policies came or went. */
    public void refreshPolicy() {
        selector = policies.selector(policyName);
    }

    private synchronized PermitPool pool() throws TransportException {
        if (pool == null) {
            throw new TransportException(Errno.ENOTCONN, "session " + name() + " has never been connected");
        }
        return pool;
    }

    @Override
    public Permit acquirePermit() throws InterruptedException, TransportException {
        return pool().acquire(-1);
    }

    @Override
    public Permit acquirePermit(long timeout, TimeUnit unit) throws InterruptedException, TransportException {
        return pool().acquire(Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    public Permit tryAcquirePermit() throws TransportException {
        return pool().tryAcquire();
    }

    @Override
    public void releasePermit(Permit permit) {
        ClientIo io = own(permit);
        if (!io.markReleased()) {
            throw new IllegalStateException(permit + " is not held or still has an IO in flight");
        }
        pool.release(io);
    }

    private ClientIo own(Permit permit) {
        if (!(permit instanceof ClientIo io) || ios == null || io.id() >= ios.length || ios[io.id()] != io) {
            throw new IllegalArgumentException(permit + " is not a permit of session " + name());
        }
        return io;
    }

    @Override
    public void submit(Permit permit, Direction direction, ByteBuffer userHeader, ByteBuffer[] data,
            IoCallback callback) throws TransportException {
        if (state == SessionState.CLOSED) {
            throw new TransportException(Errno.ESHUTDOWN, "session " + name() + " is closed");
        }
        ClientIo io;
        try {
            io = own(permit);
        } catch (IllegalArgumentException e) {
            throw new TransportException(Errno.EINVAL, e.getMessage());
        }
        long total = 0;
        for (ByteBuffer b : data) {
            total += b.remaining();
        }
        int header = userHeader.remaining();
        int message = direction == Direction.WRITE ? WriteMsg.SIZE : ReadMsg.size(total == 0 ? 0 : 1);
        if (total > maxIoSize) {
            throw new TransportException(Errno.EINVAL, "IO of " + total + " bytes exceeds the maximum " + maxIoSize);
        }
        if (header > maxHeaderSize()) {
            throw new TransportException(Errno.EINVAL, "user header of " + header + " bytes exceeds the maximum "
                    + maxHeaderSize());
        }
        if (direction == Direction.READ) {
            for (ByteBuffer b : data) {
                if (b.isReadOnly()) {
                    throw new TransportException(Errno.EINVAL, "READ into a read-only buffer");
                }
            }
        }
        if (!io.startIo()) {
            throw new TransportException(Errno.EINVAL, permit + " is not held or already has an IO in flight");
        }
        io.direction = direction;
        io.data = data;
        io.callback = callback;
        io.dataLength = (int) total;
        io.headerLength = header;
        ByteBuffer buf = io.buffer;
        if (direction == Direction.WRITE) {
            int at = 0;
            for (ByteBuffer b : data) {
                buf.put(at, b, b.position(), b.remaining());
                at += b.remaining();
            }
            buf.put(at, userHeader, userHeader.position(), header);
            io.requestStart = 0;
            io.messageOffset = at + header;
            RtrsCodec.putWriteMsg(buf, io.messageOffset, header);
            io.requestLength = io.messageOffset + WriteMsg.SIZE;
        } else {
            // the request sits at the buffer's end, the data lands at its start: they never overlap
            io.requestLength = header + message;
            io.requestStart = chunkSize - io.requestLength;
            io.messageOffset = header;
            buf.put(io.requestStart, userHeader, userHeader.position(), header);
        }
        List<ClientPath> usable = connected;
        while (!usable.isEmpty()) {
            ClientPath path = (ClientPath) selector.select(usable);
            if (path.post(io)) {
                return;
            }
            List<ClientPath> rest = new ArrayList<>(usable);
            rest.remove(path);
            usable = rest;
        }
        io.finishIo();
        throw new TransportException(Errno.ENOTCONN, "session " + name() + " has no connected path");
    }

    @Override
    public List<PathInfo> paths() {
        List<PathInfo> list = new ArrayList<>();
        for (ClientPath p : paths) {
            list.add(p.info());
        }
        return list;
    }

    @Override
    public void resetStatistics() {
        for (ClientPath p : paths) {
            p.counters.reset();
        }
    }

    @Override
    public void close() {
        if (state == SessionState.CLOSED) {
            return;
        }
        state = SessionState.CLOSED;
        firstOutcome.countDown();
        PermitPool p;
        synchronized (this) {
            p = pool;
        }
        if (p != null) {
            p.close();
        }
        for (ClientPath path : paths) {
            path.close();
        }
        connected = List.of();
        ClientIo[] table;
        synchronized (this) {
            table = ios;
        }
        if (table != null) {
            for (ClientIo io : table) {
                if (io.isInFlight() && io.finishIo()) {
                    io.callback.onComplete(Errno.ESHUTDOWN);
                }
            }
        }
        closeHook.run();
        LOG.info("session {} closed", name());
    }

    @Override
    public String toString() {
        return "session " + name();
    }
}
