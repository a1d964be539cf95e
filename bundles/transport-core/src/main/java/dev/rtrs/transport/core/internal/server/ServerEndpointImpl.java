package dev.rtrs.transport.core.internal.server;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.RequestHandler;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerLinkListener;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.TransportException;
import dev.rtrs.transport.core.internal.Heartbeats;
import dev.rtrs.transport.core.internal.wire.ConReq;
import dev.rtrs.transport.core.internal.wire.ConRsp;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.RtrsProtocol;
import dev.rtrs.transport.core.internal.wire.WireFormatException;
import dev.rtrs.transport.log.RateLimitedLog;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening RTRS server: accepts connections, groups them into paths and sessions by the uuids of their
 * CON_REQ, and refuses what does not fit with the kernel's errno in CON_RSP.
 */
public final class ServerEndpointImpl implements ServerEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(ServerEndpointImpl.class);
    private static final RateLimitedLog WARN = RateLimitedLog.of(LOG);
    /** Room for the user header and the RTRS message in each chunk (the kernel's MAX_HDR_SIZE). */
    public static final int MAX_HEADER_SIZE = 4096;

    private static final int BACKLOG = 1024;

    private final ServerOptions options;
    private final ChunkPool chunkPool;
    private final RequestHandler handler;
    private final ServerLinkListener listener;
    private final Function<String, VerbsProvider> providers;
    private final Heartbeats heartbeats;
    private final ScheduledExecutorService scheduler;
    private volatile int sendQueueLimit = Integer.MAX_VALUE;
    private final List<CmId> listeners = new CopyOnWriteArrayList<>();
    private final List<InetSocketAddress> bound = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<UUID, ServerSessionImpl> sessions = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private boolean listening;
    /** Serialises binding the listeners: at start, and when a provider arrives on another thread. */
    private final Object startLock = new Object();

    private volatile Runnable closeHook = () -> {};
    private final LinkEvents linkEvents = new LinkEvents("rtrs-server-events-" + System.identityHashCode(this));

    public ServerEndpointImpl(
            ServerOptions options,
            RequestHandler handler,
            ServerLinkListener listener,
            Function<String, VerbsProvider> providers,
            Heartbeats heartbeats,
            ScheduledExecutorService scheduler)
            throws TransportException {
        if (options.chunkSize() > 1 << Imm.memBits(options.queueDepth())) {
            throw new TransportException(
                    Errno.EINVAL,
                    "chunk size " + options.chunkSize() + " does not fit the " + Imm.memBits(options.queueDepth())
                            + " offset bits left by queue depth " + options.queueDepth());
        }
        if (options.chunkSize() <= MAX_HEADER_SIZE) {
            throw new TransportException(Errno.EINVAL, "chunk size must exceed the header room of " + MAX_HEADER_SIZE);
        }
        this.options = options;
        this.chunkPool = new ChunkPool(options.queueDepth() * options.chunkSize(), options.maxPaths());
        this.handler = handler;
        this.listener = listener != null ? listener : new ServerLinkListener() {};
        this.providers = providers;
        this.heartbeats = heartbeats;
        this.scheduler = scheduler;
    }

    ChunkPool chunkPool() {
        return chunkPool;
    }

    Heartbeats heartbeats() {
        return heartbeats;
    }

    /**
     * Binds and listens on every configured address; all share one port. Without the configured provider the
     * server waits for it (said once in the log) and listens when the transport reports it through
     * {@link #providerAdded}: start order never matters.
     *
     * @throws TransportException when the provider is there but a listener cannot be bound
     */
    public void start() throws TransportException {
        synchronized (startLock) {
            if (!startListening()) {
                // at boot the provider's bundle may simply start later: no warning
                LOG.info(
                        "RTRS server on {} port {} waits for verbs provider '{}'; it listens once the provider is "
                                + "installed",
                        options.addresses(),
                        options.port(),
                        options.provider());
            }
        }
    }

    /** Binds the listeners unless they are bound or closed; false when the provider is missing. */
    private boolean startListening() throws TransportException {
        synchronized (this) {
            if (closed || listening) {
                return true;
            }
        }
        VerbsProvider provider = providers.apply(options.provider());
        if (provider == null) {
            return false;
        }
        int port = bound.isEmpty() ? options.port() : bound.get(0).getPort();
        List<CmId> ids = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        try {
            for (InetAddress address : options.addresses()) {
                CmId id = provider.createCmId(this::onListenerEvent);
                ids.add(id);
                id.bind(new InetSocketAddress(address, port));
                if (id.device() != null && !id.device().capabilities().supports(Capability.CONNECT_PRIVATE_DATA)) {
                    throw new VerbsException(
                            Errno.EPROTONOSUPPORT,
                            "device " + id.device().name()
                                    + " cannot carry connect private data, which the RTRS handshake needs");
                }
                id.listen(BACKLOG);
                InetSocketAddress local = id.localAddress();
                addresses.add(local);
                port = local.getPort();
                LOG.info(
                        "RTRS server listening on {} (queue depth {}, chunk {} bytes, always_invalidate {}, provider {})",
                        local,
                        options.queueDepth(),
                        options.chunkSize(),
                        options.alwaysInvalidate(),
                        provider.name());
            }
        } catch (VerbsException e) {
            ids.forEach(CmId::close);
            throw new TransportException(e.errno(), "cannot listen on " + options.addresses() + " port " + port, e);
        }
        boolean lateClose;
        synchronized (this) {
            lateClose = closed;
            if (!lateClose) {
                listeners.addAll(ids);
                bound.clear();
                bound.addAll(addresses);
                listening = true;
            }
        }
        if (lateClose) {
            ids.forEach(CmId::close);
        }
        return true;
    }

    /**
     * A verbs provider came (back): a server waiting for it, or whose provider went away, listens (again, on the
     * same port). Called by the transport on the thread that adds the provider.
     */
    public void providerAdded(String name) {
        if (!name.equals(options.provider())) {
            return;
        }
        synchronized (startLock) {
            try {
                startListening();
            } catch (TransportException e) {
                LOG.error(
                        "RTRS server on {} port {}: cannot listen: {}",
                        options.addresses(),
                        options.port(),
                        e.getMessage());
            }
        }
    }

    /** True while the listeners are bound; false while the server waits for its verbs provider. */
    public synchronized boolean isListening() {
        return listening;
    }

    /** Runs once when the endpoint is closed (the transport drops it from its list of servers). */
    public void onClose(Runnable hook) {
        this.closeHook = hook;
    }

    RequestHandler handler() {
        return handler;
    }

    @Override
    public int maxIoSize() {
        return options.chunkSize() - MAX_HEADER_SIZE;
    }

    // ---- connection manager ----

    private void onListenerEvent(CmEvent event) {
        switch (event.type()) {
            case CONNECT_REQUEST -> onConnectRequest(event.id(), event.privateData());
            case DEVICE_REMOVAL -> providerGone();
            default -> LOG.debug("RTRS server listener: {}", event);
        }
    }

    /** The provider went away under the listeners: drop them; the server listens again when it returns. */
    private void providerGone() {
        List<CmId> old;
        synchronized (this) {
            if (!listening) {
                return;
            }
            listening = false;
            old = List.copyOf(listeners);
            listeners.clear();
        }
        old.forEach(CmId::close);
        if (!closed) {
            LOG.warn(
                    "RTRS server on {}: verbs provider '{}' is gone; it listens again when the provider is back",
                    bound,
                    options.provider());
        }
    }

    private void onConnectRequest(CmId id, byte[] privateData) {
        String peer = String.valueOf(id.remoteAddress());
        ConReq req;
        try {
            req = RtrsCodec.decodeConReq(privateData);
        } catch (WireFormatException e) {
            reject(id, Errno.ECONNRESET, "malformed connect request from " + peer + ": " + e.getMessage());
            return;
        }
        if (req.magic() != RtrsProtocol.MAGIC) {
            reject(
                    id,
                    Errno.ECONNRESET,
                    "connect request from " + peer + " with magic 0x" + Integer.toHexString(req.magic())
                            + ", expected 0x" + Integer.toHexString(RtrsProtocol.MAGIC));
            return;
        }
        if (req.version() >> 8 != RtrsProtocol.VERSION_MAJOR) {
            reject(
                    id,
                    Errno.ECONNRESET,
                    "connect request from " + peer + " speaks RTRS " + (req.version() >> 8) + "."
                            + (req.version() & 0xFF) + ", this server " + RtrsProtocol.VERSION_MAJOR + "."
                            + RtrsProtocol.VERSION_MINOR);
            return;
        }
        if (req.cidNum() == 0 || req.cidNum() > options.maxConnectionsPerPath()) {
            reject(
                    id,
                    Errno.ECONNRESET,
                    "connect request from " + peer + " asks for " + req.cidNum() + " connections per path, 1 to "
                            + options.maxConnectionsPerPath() + " allowed");
            return;
        }
        if (req.cid() >= req.cidNum()) {
            reject(
                    id,
                    Errno.ECONNRESET,
                    "connect request from " + peer + " for connection " + req.cid() + " of " + req.cidNum());
            return;
        }
        synchronized (this) {
            if (closed) {
                reject(id, Errno.ECONNRESET, "server is closing");
                return;
            }
            ServerSessionImpl existing = sessions.get(req.sessionUuid());
            ServerPath stale = existing == null ? null : existing.paths.get(req.pathUuid());
            if (stale != null && stale.reconCnt != req.reconCnt()) {
                // a reconnect overtook the teardown of the path's previous incarnation, connected or half set up:
                // recon_cnt tells the two apart, as in the kernel (the session may go with it, if it was the last)
                stale.close("replaced by reconnect " + req.reconCnt());
            }
            ServerSessionImpl session = sessions.get(req.sessionUuid());
            if (session == null) {
                if (!req.firstConn()) {
                    reject(
                            id,
                            Errno.ENXIO,
                            "connect request from " + peer + " for unknown session " + req.sessionUuid());
                    return;
                }
                if (sessions.size() >= options.maxSessions()) {
                    reject(
                            id,
                            Errno.ECONNREFUSED,
                            "connect request from " + peer + " for a new session: the server holds its limit of "
                                    + options.maxSessions() + " sessions");
                    return;
                }
                // no chunk memory yet: the session gets it once its first path completes the handshake
                session = new ServerSessionImpl(this, req.sessionUuid(), options.queueDepth(), options.chunkSize());
                sessions.put(req.sessionUuid(), session);
            }
            try {
                ServerPath path = session.paths.get(req.pathUuid());
                if (path == null) {
                    Refusal refusal = newPathRefusal(session, id);
                    if (refusal != null) {
                        reject(id, refusal.errno(), refusal.why());
                        dropIfEmpty(session);
                        return;
                    }
                    path = new ServerPath(session, req.pathUuid(), req.cidNum(), req.reconCnt(), id);
                    session.paths.put(req.pathUuid(), path);
                    closeIfStillConnecting(path);
                } else if (path.connectionCount() != req.cidNum()) {
                    reject(
                            id,
                            Errno.ECONNRESET,
                            "connect request from " + peer + " for " + req.cidNum() + " connections, the path has "
                                    + path.connectionCount());
                    return;
                }
                if (!path.addConnection(req.cid(), id)) {
                    reject(
                            id,
                            Errno.ECONNRESET,
                            "connection " + req.cid() + " of path " + req.pathUuid()
                                    + " already exists or the path is not connecting");
                    return;
                }
                ConRsp rsp = ConRsp.accept(
                        options.queueDepth(),
                        maxIoSize(),
                        MAX_HEADER_SIZE,
                        options.alwaysInvalidate() ? RtrsProtocol.FLAG_NEW_RKEY : 0);
                id.accept(RtrsCodec.encode(rsp));
            } catch (VerbsException e) {
                reject(
                        id,
                        e.errno(),
                        "cannot set up connection " + req.cid() + " from " + peer + ": " + e.getMessage());
                dropIfEmpty(session);
            }
        }
    }

    /** Why a connect request is refused, with the errno CON_RSP carries. */
    private record Refusal(int errno, String why) {}

    /**
     * Why a new path may not join the session, or null: the session's path limit, the server's limit of paths in
     * their handshake, or a path of the session with the same addresses (EEXIST, as the kernel's). This held.
     */
    private Refusal newPathRefusal(ServerSessionImpl session, CmId id) {
        if (session.paths.size() >= options.maxPathsPerSession()) {
            return new Refusal(
                    Errno.ECONNRESET,
                    "session " + session.name() + " already has " + options.maxPathsPerSession() + " paths");
        }
        int connecting = 0;
        ServerPath oldest = null;
        for (ServerSessionImpl s : sessions.values()) {
            for (ServerPath p : s.paths.values()) {
                if (p.state() == PathState.CONNECTING) {
                    connecting++;
                    if (oldest == null || p.createdNanos - oldest.createdNanos < 0) {
                        oldest = p;
                    }
                }
            }
        }
        if (connecting >= options.maxConnectingPaths() && oldest != null) {
            // the oldest half-open handshake makes room: a flood of them cannot lock honest clients out until the
            // handshake timeout, and an honest handshake completes long before it is the oldest
            oldest.close("the oldest of " + connecting + " paths in their handshake, the server's limit");
        }
        InetSocketAddress from = id.remoteAddress();
        InetSocketAddress to = id.localAddress();
        for (ServerPath p : session.paths.values()) {
            if (p.hasAddresses(from, to)) {
                return new Refusal(
                        Errno.EEXIST,
                        "session " + session.name() + " has path " + p.uuid + " from " + from.getAddress() + " to "
                                + to.getAddress() + " already");
            }
        }
        return null;
    }

    /** A path whose client never completes the handshake is a zombie: closed after a while, as the kernel does. */
    private void closeIfStillConnecting(ServerPath path) {
        long ms = options.handshakeTimeout().toMillis();
        // weakly held: a path closed before the timeout, its session and chunk memory are not kept until then
        WeakReference<ServerPath> pending = new WeakReference<>(path);
        scheduler.schedule(
                () -> {
                    ServerPath p = pending.get();
                    if (p != null && p.state() == PathState.CONNECTING) {
                        p.close("still connecting after " + ms + " ms");
                    }
                },
                ms,
                TimeUnit.MILLISECONDS);
    }

    /** Upper bound of each new connection's send queue beyond what the device allows; tests lower it. */
    void sendQueueLimit(int value) {
        this.sendQueueLimit = value;
    }

    int sendQueueLimit() {
        return sendQueueLimit;
    }

    private void dropIfEmpty(ServerSessionImpl session) {
        if (session.paths.isEmpty()) {
            sessions.remove(session.uuid(), session);
        }
    }

    private void reject(CmId id, int errno, String why) {
        WARN.warn("connect-refused", "RTRS server: rejecting with {}: {}", Errno.name(errno), why);
        try {
            id.reject(RtrsCodec.encode(ConRsp.reject(errno)));
        } catch (VerbsException e) {
            LOG.debug("reject failed: {}", e.getMessage());
        } finally {
            // as rdma_destroy_id after rdma_reject: the provider forgets the id once its reject is out
            id.close();
        }
    }

    void onConnectionEvent(ServerPath path, int cid, CmEvent event) {
        switch (event.type()) {
            case ESTABLISHED -> path.connectionEstablished(cid);
            case DISCONNECTED, CONNECT_ERROR, UNREACHABLE, DEVICE_REMOVAL ->
                path.close("connection " + cid + ": " + event.type());
            default -> LOG.debug("path {} connection {}: {}", path.uuid, cid, event);
        }
    }

    // ---- link events ----

    // Link events are queued under the locks that order them (the endpoint, which admits and drops paths, before
    // the session) and told on the endpoint's own event thread with no lock held: a listener sees a session come
    // before its paths and go after them, and may call back into the transport.

    void pathConnected(ServerSessionImpl session, ServerPath path) {
        LOG.info(
                "RTRS server: session {} path {} connected from {}",
                session.name(),
                path.uuid,
                path.info().source());
        heartbeats.connected(path.liveness());
        synchronized (session) {
            if (session.announce()) {
                tell(() -> listener.sessionConnected(session));
            }
            PathInfo info = path.info();
            tell(() -> listener.pathConnected(session, info));
        }
    }

    void pathClosed(ServerSessionImpl session, ServerPath path) {
        synchronized (this) {
            synchronized (session) {
                boolean removed = session.paths.remove(path.uuid, path);
                if (removed && session.wasAnnounced()) {
                    PathInfo info = path.info();
                    tell(() -> listener.pathDisconnected(session, info));
                }
                if (session.paths.isEmpty() && sessions.remove(session.uuid(), session)) {
                    if (session.wasAnnounced()) {
                        LOG.info("RTRS server: session {} closed", session.name());
                        tell(() -> listener.sessionDisconnected(session));
                    }
                }
            }
        }
    }

    private void tell(Runnable event) {
        linkEvents.tell(event);
    }

    /** True when a live session other than {@code session} goes by {@code name}: the kernel answers EPERM. */
    boolean nameHeldByAnother(ServerSessionImpl session, String name) {
        for (ServerSessionImpl s : sessions.values()) {
            if (s != session && s.wasAnnounced() && s.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The session with this uuid, announced or not. */
    ServerSessionImpl findSession(UUID uuid) {
        return sessions.get(uuid);
    }

    // ---- ServerEndpoint ----

    @Override
    public ServerOptions options() {
        return options;
    }

    @Override
    public List<InetSocketAddress> localAddresses() {
        return List.copyOf(bound);
    }

    @Override
    public List<ServerSession> sessions() {
        List<ServerSession> list = new ArrayList<>();
        for (ServerSessionImpl s : sessions.values()) {
            if (s.wasAnnounced()) {
                list.add(s);
            }
        }
        return list;
    }

    @Override
    public Optional<ServerSession> session(String name) {
        return sessions().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (CmId id : listeners) {
            id.close();
        }
        for (ServerSessionImpl s : List.copyOf(sessions.values())) {
            s.close();
        }
        sessions.clear();
        // the listener hears of every session's end before close returns (unless it closes the server itself)
        if (!linkEvents.close()) {
            LOG.warn("RTRS server on {}: link listener still busy 10 s after close", bound);
        }
        closeHook.run();
        LOG.info("RTRS server on {} closed", bound);
    }
}
