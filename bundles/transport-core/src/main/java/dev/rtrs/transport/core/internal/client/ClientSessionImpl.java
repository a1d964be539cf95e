package dev.rtrs.transport.core.internal.client;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientLinkListener;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.IoCallback;
import dev.rtrs.transport.MultipathPolicy;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.RtrsLimits;
import dev.rtrs.transport.SessionState;
import dev.rtrs.transport.TransportException;
import dev.rtrs.transport.core.internal.Heartbeats;
import dev.rtrs.transport.core.internal.policy.RoundRobinSelector;
import dev.rtrs.transport.core.internal.wire.ConRsp;
import dev.rtrs.transport.core.internal.wire.ReadMsg;
import dev.rtrs.verbs.VerbsProvider;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client session: the {@link ClientSession} API over its paths, its {@link PermitMemory} and its
 * {@link PathRecovery}.
 *
 * <p>Locking: a path calls into the session while holding its own lock; the session hands such calls on to its
 * executor (through {@link PathRecovery}) and never calls a path's locked methods inline from them. The session's
 * own monitor guards only the permit memory's creation.
 */
public final class ClientSessionImpl implements ClientSession {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSessionImpl.class);

    private final ClientSessionOptions options;
    private final Function<String, VerbsProvider> providers;
    private final PolicySource policies;
    private final Heartbeats heartbeats;
    private final ScheduledExecutorService scheduler;
    private final Executor executor;
    private final UUID uuid = UUID.randomUUID();
    /** Changed by the operator's path commands (through {@link SessionPaths}) while IO runs. */
    private final List<ClientPath> paths = new CopyOnWriteArrayList<>();

    private final PathRecovery recovery;
    private final SessionPaths pathControl;
    private volatile int maxReconnectAttempts;
    private volatile MultipathPolicy.PathSelector selector;
    /** The policy the session asked for, by the name or alias it was given. */
    private volatile String policyName;
    /** The installed policy the selector comes from; null while the session falls back to round-robin. */
    private MultipathPolicy policyInUse;
    /** Guards {@link #policyInUse} and the switch of {@link #selector}. */
    private final Object policyLock = new Object();

    private volatile Runnable closeHook = () -> {};
    /** Set by the first path that connects; guarded by this. */
    private PermitMemory permits;

    /** Where a session finds its multipath policy by name or alias. */
    public interface PolicySource {
        /** The installed policy of that name or alias, or null. */
        MultipathPolicy find(String name);

        /** The name of the installed policy answering to {@code name}, or null. */
        String canonicalName(String name);
    }

    public ClientSessionImpl(
            ClientSessionOptions options,
            ClientLinkListener listener,
            Function<String, VerbsProvider> providers,
            PolicySource policies,
            Heartbeats heartbeats,
            ScheduledExecutorService scheduler,
            Executor serialExecutor) {
        this.options = options;
        this.providers = providers;
        this.policies = policies;
        this.heartbeats = heartbeats;
        this.scheduler = scheduler;
        this.executor = serialExecutor;
        this.policyName = options.policy();
        this.maxReconnectAttempts = options.maxReconnectAttempts();
        refreshPolicy();
        this.recovery = new PathRecovery(this, options, listener, heartbeats, scheduler, serialExecutor);
        for (int i = 0; i < options.paths().size(); i++) {
            paths.add(new ClientPath(this, i, options.paths().get(i), options.connectionsPerPath(), i == 0));
        }
        this.pathControl = new SessionPaths(this, options, paths);
    }

    /** Connects every path; returns once one is connected, or throws when none could be. */
    public void open() throws TransportException {
        List<ClientPath> all = List.copyOf(paths);
        recovery.afterFirstPath(all.get(0), () -> all.subList(1, all.size()).forEach(ClientPath::connect));
        all.get(0).connect();
        try {
            if (!recovery.firstOutcome().await(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new TransportException(
                        Errno.ETIMEDOUT,
                        "session " + name() + ": no path connected within "
                                + options.connectTimeout().toMillis() + " ms (last: " + recovery.lastFailure() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new TransportException(Errno.EINTR, "interrupted while opening session " + name());
        }
        if (recovery.connected().isEmpty()) {
            int errno = recovery.lastErrno();
            String why = recovery.lastFailure();
            close();
            throw new TransportException(errno, "session " + name() + ": no path could be connected: " + why);
        }
    }

    // ---- what paths use ----

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

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    Heartbeats heartbeats() {
        return heartbeats;
    }

    PathRecovery recovery() {
        return recovery;
    }

    int connectTimeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
    }

    List<ClientPath> allPaths() {
        return paths;
    }

    boolean allPathsFailedOnce() {
        return paths.stream().allMatch(p -> p.failedAttempts() > 0);
    }

    boolean allPathsGivenUp() {
        return paths.stream().allMatch(p -> p.state() == PathState.CLOSED);
    }

    /** Sets up the permits on the first connected path; later paths must agree with it. Path lock held. */
    synchronized PermitMemory pathReady(ClientPath path, ConRsp rsp) throws TransportException {
        if (permits == null) {
            permits = new PermitMemory(rsp, options.permitUserAreaSize());
        } else {
            permits.checkCompatible(rsp, path.address.toString());
        }
        return permits;
    }

    synchronized PermitMemory permitsOrNull() {
        return permits;
    }

    /**
     * Posts an IO on one of {@code usable}, chosen by the policy, and when that path cannot take it on the one the
     * policy chooses after it; false when none takes it. Allocates only when a path refuses the IO.
     */
    boolean post(ClientIo io, List<ClientPath> usable) {
        if (usable.isEmpty()) {
            return false;
        }
        MultipathPolicy.PathSelector s = selector;
        ClientPath path = (ClientPath) s.select(usable);
        List<ClientPath> left = usable;
        while (!path.post(io)) {
            List<ClientPath> rest = new ArrayList<>(left);
            rest.remove(path);
            if (rest.isEmpty()) {
                return false;
            }
            path = (ClientPath) s.selectAfterFailure(path, rest);
            left = rest;
        }
        return true;
    }

    /** Moves an IO whose path failed to the path the policy chooses after it; false when there is none. */
    boolean postAfterFailure(ClientIo io, ClientPath failed, List<ClientPath> others) {
        if (others.isEmpty()) {
            return false;
        }
        ClientPath path = (ClientPath) selector.selectAfterFailure(failed, others);
        return path.post(io) || post(io, withoutPath(others, path));
    }

    private static List<ClientPath> withoutPath(List<ClientPath> paths, ClientPath path) {
        List<ClientPath> rest = new ArrayList<>(paths);
        rest.remove(path);
        return rest;
    }

    /** The IO of chunk {@code msgId} when it is in flight on {@code path}, else null. */
    ClientIo inFlight(ClientPath path, int msgId) {
        PermitMemory p = permitsOrNull();
        ClientIo io = p == null ? null : p.io(msgId);
        return io != null && io.path() == path && io.isInFlight() ? io : null;
    }

    /** Completes the IO of chunk {@code msgId} (completion thread); false when none is in flight on {@code path}. */
    boolean complete(ClientPath path, int msgId, int errno) {
        ClientIo io = inFlight(path, msgId);
        if (io == null || !io.finishIo()) {
            return false;
        }
        finish(path, io, errno);
        return true;
    }

    /** Completes a READ whose LOCAL_INV on {@code path} completed (completion thread), unless fail-over took it. */
    void completeInvalidated(ClientPath path, int msgId) {
        ClientIo io = inFlight(path, msgId);
        if (io != null && io.finishInvalidated()) {
            finish(path, io, io.heldErrno());
        }
    }

    private void finish(ClientPath path, ClientIo io, int errno) {
        if (io.direction() == Direction.READ) {
            if (errno == 0) {
                io.scatterReadData();
            }
            path.counters.readDone(io.dataLength());
        } else {
            path.counters.writeDone(io.dataLength());
        }
        try {
            io.callback().onComplete(errno);
        } catch (RuntimeException e) {
            LOG.warn("session {}: IO callback failed", name(), e);
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
        return recovery.state();
    }

    @Override
    public int queueDepth() {
        PermitMemory p = permitsOrNull();
        return p == null ? 0 : p.queueDepth();
    }

    @Override
    public int maxIoSize() {
        PermitMemory p = permitsOrNull();
        return p == null ? 0 : p.maxIoSize();
    }

    @Override
    public int maxHeaderSize() {
        PermitMemory p = permitsOrNull();
        return p == null ? 0 : Math.max(0, p.maxHeaderSize() - ReadMsg.size(1));
    }

    /** The configured policy, or the fallback in use while it is not installed. */
    @Override
    public String policy() {
        String installed = policies.canonicalName(policyName);
        return installed != null
                ? installed
                : RoundRobinSelector.NAME + " (fallback: " + policyName + " is not installed)";
    }

    @Override
    public void setPolicy(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a multipath policy name is needed");
        }
        policyName = name.trim();
        LOG.info("session {}: multipath policy set to {}", name(), policyName);
        refreshPolicy();
    }

    /** Runs once when the session is closed. */
    public void onClose(Runnable hook) {
        this.closeHook = hook;
    }

    /**
     * Re-reads the policy after policies came or went, or the session was given another: a new selector when the
     * policy answering to the session's name changed, the built-in round-robin while none does (said once in the
     * log). IO in flight is not touched; IO submitted afterwards uses the new selector.
     */
    public void refreshPolicy() {
        synchronized (policyLock) {
            MultipathPolicy found = policies.find(policyName);
            boolean unchanged = selector != null && found == policyInUse;
            if (unchanged) {
                return;
            }
            if (found == null) {
                LOG.warn(
                        "session {}: multipath policy {} is not installed; {} until it is",
                        name(),
                        policyName,
                        RoundRobinSelector.NAME);
                selector = new RoundRobinSelector();
            } else {
                LOG.info("session {}: multipath policy {} in use", name(), policies.canonicalName(policyName));
                selector = found.newSelector();
            }
            policyInUse = found;
        }
    }

    private PermitMemory permits() throws TransportException {
        PermitMemory p = permitsOrNull();
        if (p == null) {
            throw new TransportException(Errno.ENOTCONN, "session " + name() + " has never been connected");
        }
        return p;
    }

    @Override
    public Permit acquirePermit() throws InterruptedException, TransportException {
        return permits().pool().acquire(-1);
    }

    @Override
    public Permit acquirePermit(long timeout, TimeUnit unit) throws InterruptedException, TransportException {
        return permits().pool().acquire(Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    public Permit tryAcquirePermit() throws TransportException {
        return permits().pool().tryAcquire();
    }

    @Override
    public void releasePermit(Permit permit) {
        PermitMemory p = permitsOrNull();
        ClientIo io = p == null ? null : p.own(permit);
        if (io == null) {
            throw new IllegalArgumentException(permit + " is not a permit of session " + name());
        }
        if (!io.markReleased()) {
            throw new IllegalStateException(permit + " is not held or still has an IO in flight");
        }
        p.pool().release(io);
    }

    /** Lays the IO out in its permit's buffer and posts it on a connected path the policy chooses. */
    @Override
    public void submit(
            Permit permit, Direction direction, ByteBuffer userHeader, ByteBuffer[] data, IoCallback callback)
            throws TransportException {
        if (recovery.state() == SessionState.CLOSED) {
            throw new TransportException(Errno.ESHUTDOWN, "session " + name() + " is closed");
        }
        PermitMemory p = permits();
        ClientIo io = p.own(permit);
        if (io == null) {
            throw new TransportException(Errno.EINVAL, permit + " is not a permit of session " + name());
        }
        long total = 0;
        for (ByteBuffer b : data) {
            total += b.remaining();
        }
        int header = userHeader.remaining();
        if (total > p.maxIoSize()) {
            throw new TransportException(
                    Errno.EINVAL, "IO of " + total + " bytes exceeds the maximum " + p.maxIoSize());
        }
        if (header > maxHeaderSize()) {
            throw new TransportException(
                    Errno.EINVAL, "user header of " + header + " bytes exceeds the maximum " + maxHeaderSize());
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
        io.layOut(direction, userHeader, data, (int) total, callback);
        // the list of connected paths follows their events on the recovery thread: a path that has just connected
        // may not be in it yet, so its own state is asked before the IO is refused
        if (!post(io, recovery.connected()) && !post(io, connectedNow())) {
            io.finishIo();
            throw new TransportException(
                    Errno.ENOTCONN,
                    "session " + name()
                            + (allPathsGivenUp() ? ": every path has been given up" : " has no connected path"));
        }
    }

    private List<ClientPath> connectedNow() {
        List<ClientPath> list = new ArrayList<>();
        for (ClientPath p : paths) {
            if (p.isConnected()) {
                list.add(p);
            }
        }
        return list;
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
    public int maxReconnectAttempts() {
        return maxReconnectAttempts;
    }

    @Override
    public void setMaxReconnectAttempts(int attempts) throws TransportException {
        if (attempts < -1 || attempts > RtrsLimits.MAX_RECONNECT_ATTEMPTS) {
            throw new TransportException(
                    Errno.EINVAL,
                    "max reconnect attempts must be -1 (no limit) or 0 to " + RtrsLimits.MAX_RECONNECT_ATTEMPTS
                            + ", not " + attempts);
        }
        maxReconnectAttempts = attempts;
        LOG.info("session {}: max reconnect attempts set to {}", name(), attempts);
    }

    @Override
    public PathInfo addPath(PathAddress address) throws TransportException, InterruptedException {
        return pathControl.add(address);
    }

    @Override
    public void removePath(UUID path) throws TransportException {
        pathControl.remove(path);
    }

    @Override
    public void disconnectPath(UUID path) throws TransportException {
        pathControl.disconnect(path);
    }

    @Override
    public void reconnectPath(UUID path) throws TransportException, InterruptedException {
        pathControl.reconnect(path);
    }

    @Override
    public void close() {
        if (recovery.state() == SessionState.CLOSED) {
            return;
        }
        recovery.close();
        PermitMemory p = permitsOrNull();
        if (p != null) {
            p.pool().close();
        }
        for (ClientPath path : paths) {
            path.close();
        }
        if (p != null) {
            for (ClientIo io : p.all()) {
                if (io.isInFlight() && io.abort()) {
                    io.callback().onComplete(Errno.ESHUTDOWN);
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
