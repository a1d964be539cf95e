package dev.rtrs.transport.core.internal.client;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.MultipathPolicy;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.RtrsLimits;
import dev.rtrs.transport.TransportException;
import dev.rtrs.transport.core.internal.conn.Connection;
import dev.rtrs.transport.core.internal.conn.PathLiveness;
import dev.rtrs.transport.core.internal.conn.WrIds;
import dev.rtrs.transport.core.internal.stats.PathCounters;
import dev.rtrs.transport.core.internal.wire.ChunkTable;
import dev.rtrs.transport.core.internal.wire.ConReq;
import dev.rtrs.transport.core.internal.wire.ConRsp;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.ImmType;
import dev.rtrs.transport.core.internal.wire.InfoReq;
import dev.rtrs.transport.core.internal.wire.InfoRsp;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.RtrsProtocol;
import dev.rtrs.transport.core.internal.wire.WireFormatException;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WorkCompletion;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One path of a client session. A connect attempt sets up connection 0 (the service connection) to
 * {@code cidNum - 1}, one after the other, then exchanges INFO_REQ/INFO_RSP on connection 0 to learn the
 * chunks. Connection-manager events only move the attempt along with non-blocking calls; teardown runs on
 * the session's executor, never inside a completion or CM handler.
 */
final class ClientPath implements Connection.Handler, MultipathPolicy.PathView {

    private static final Logger LOG = LoggerFactory.getLogger(ClientPath.class);
    static final int RECEIVE_SLOT = 64;
    private static final int EXTRA_SLOTS = 16;
    /** Queue size of the service connection: the INFO exchange and heartbeats in both directions. */
    private static final int SERVICE_SLOTS = 32;

    final int index;
    final PathAddress address;
    final UUID uuid = UUID.randomUUID();
    final PathCounters counters = new PathCounters();
    private final ClientSessionImpl session;
    private final int cidNum;
    private boolean forNewClient;

    // the current attempt; guarded by this
    private int generation;
    /** Counts connect attempts; the first carries 1, as the kernel's client increments before each attempt. */
    private int reconCnt;

    private Connection[] connections;
    private ProtectionDomain pd;
    private MemoryRegion infoRegion;
    private MemoryRegion permitRegion;
    /** The attempt's fast-registered READ buffers; null without fast registration (READs then name permitRegion). */
    private volatile ReadFence readFence;

    private ConRsp accepted;
    private boolean everConnected;
    private int failedAttempts;
    private boolean waiting; // no attempt runs: the path waits for its next one, or is closed

    private volatile PathState state = PathState.CONNECTING;
    private volatile long[] chunkAddress = new long[0];
    private volatile int[] chunkKey = new int[0];
    private volatile int memBits;
    private volatile InetSocketAddress localAddress;
    /** The heartbeat's view of the connected incarnation; null while not connected. Written with this held. */
    private volatile PathLiveness liveness;

    /**
     * @param forNewClient the path may create the session on the server: the kernel's {@code for_new_clt}, set for
     *                     the first path of a session, for a path added to a session that has none left, and for
     *                     any path once its first connection got through; its connect requests carry
     *                     {@code first_conn}, the other paths' join what it created
     */
    ClientPath(ClientSessionImpl session, int index, PathAddress address, int cidNum, boolean forNewClient) {
        this.session = session;
        this.index = index;
        this.address = address;
        this.cidNum = cidNum;
        this.forNewClient = forNewClient;
    }

    // ---- MultipathPolicy.PathView ----

    @Override
    public int index() {
        return index;
    }

    @Override
    public int inflight() {
        return counters.inflight();
    }

    @Override
    public InetSocketAddress destination() {
        return address.destination();
    }

    @Override
    public PathStatistics statistics() {
        return counters.snapshot();
    }

    /** The smoothed heartbeat round-trip time of the connected incarnation, or -1. */
    @Override
    public long latencyNanos() {
        PathLiveness l = liveness;
        return l == null ? -1 : l.roundTripNanos();
    }

    PathState state() {
        return state;
    }

    /** Failed attempts since the path was last connected. */
    synchronized int failedAttempts() {
        return failedAttempts;
    }

    boolean isConnected() {
        return state == PathState.CONNECTED;
    }

    PathInfo info() {
        return new PathInfo(
                uuid, localAddress, address.destination(), state, cidNum, counters.snapshot(), latencyNanos());
    }

    // ---- connecting ----

    /** Starts a connect attempt. Non-blocking; the session learns the outcome by callback. */
    synchronized void connect() {
        generation++;
        waiting = false;
        reconCnt = (reconCnt + 1) & 0xFFFF;
        state = everConnected || reconCnt > 1 ? PathState.RECONNECTING : PathState.CONNECTING;
        connections = new Connection[cidNum];
        accepted = null;
        int attempt = generation;
        // an attempt whose connections are up but whose INFO_RSP never comes would hang the path for good
        session.scheduler().schedule(() -> attemptTimedOut(attempt), session.connectTimeoutMs(), TimeUnit.MILLISECONDS);
        startConnection(0);
    }

    /** Starts the attempt a reconnect was scheduled for, unless another one started or the path closed since. */
    synchronized void connectIfWaiting(int scheduledGeneration) {
        if (waiting && generation == scheduledGeneration && state != PathState.CLOSED) {
            connect();
        }
    }

    /** The operator's reconnect: tears a connected path down, and starts an attempt now unless one is running. */
    synchronized void reconnectNow() {
        failedAttempts = 0;
        if (state == PathState.CONNECTED) {
            lost("reconnect requested by the operator");
        }
        if (waiting || state == PathState.CLOSED) {
            connect();
        }
    }

    private synchronized void attemptTimedOut(int attempt) {
        if (attempt == generation && (state == PathState.CONNECTING || state == PathState.RECONNECTING)) {
            attemptFailed(Errno.ETIMEDOUT, "not connected within " + session.connectTimeoutMs() + " ms");
        }
    }

    // this held
    private void startConnection(int cid) {
        int gen = generation;
        VerbsProvider provider = session.provider();
        if (provider == null) {
            attemptFailed(Errno.ENODEV, "no verbs provider '" + session.providerName() + "' is installed");
            return;
        }
        try {
            CmId id = provider.createCmId(event -> onCmEvent(gen, cid, event));
            id.resolveAddress(address.source(), address.destination(), session.connectTimeoutMs());
        } catch (VerbsException e) {
            attemptFailed(e.errno(), "cannot start connection " + cid + ": " + e.getMessage());
        }
    }

    private synchronized void onCmEvent(int gen, int cid, CmEvent event) {
        if (gen != generation || state == PathState.CLOSED || state == PathState.CLOSING) {
            if (event.type() != CmEventType.DISCONNECTED) {
                session.executor().execute(event.id()::close);
            }
            return;
        }
        try {
            switch (event.type()) {
                case ADDR_RESOLVED -> event.id().resolveRoute(session.connectTimeoutMs());
                case ROUTE_RESOLVED -> onRouteResolved(cid, event.id());
                case ESTABLISHED -> onEstablished(cid, event);
                case REJECTED -> onRejected(cid, event);
                case ADDR_ERROR, ROUTE_ERROR ->
                    attemptFailed(
                            status(event, Errno.EHOSTUNREACH), "cannot resolve " + address + " (" + event.type() + ")");
                case UNREACHABLE, CONNECT_ERROR ->
                    attemptFailed(
                            status(event, Errno.ECONNREFUSED),
                            "connection " + cid + " to " + address.destination() + ": " + event.type());
                case DISCONNECTED, DEVICE_REMOVAL -> {
                    if (state == PathState.CONNECTED) {
                        lost("connection " + cid + " " + event.type());
                    } else {
                        attemptFailed(Errno.ECONNRESET, "connection " + cid + " " + event.type() + " while connecting");
                    }
                }
                default -> LOG.debug("{}: {}", this, event);
            }
        } catch (VerbsException e) {
            attemptFailed(e.errno(), "connection " + cid + ": " + e.getMessage());
        }
    }

    private static int status(CmEvent event, int fallback) {
        return event.status() != 0 ? Math.abs(event.status()) : fallback;
    }

    // this held
    private void onRouteResolved(int cid, CmId id) throws VerbsException {
        if (!id.device().capabilities().supports(Capability.CONNECT_PRIVATE_DATA)) {
            attemptFailed(
                    Errno.EPROTONOSUPPORT,
                    "device " + id.device().name()
                            + " cannot carry connect private data, which the RTRS handshake needs");
            return;
        }
        if (pd == null) {
            pd = id.device().allocateProtectionDomain();
            infoRegion = pd.register(ByteBuffer.allocateDirect(InfoReq.SIZE), Access.LOCAL_WRITE);
        }
        int depth = Math.min(id.device().capabilities().maxQueuePairWorkRequests(), queueSize(cid));
        Connection c = new Connection(id, cid, this, session.name() + " path " + address + " cid " + cid);
        connections[cid] = c;
        // INFO_RSP may list a descriptor per chunk, up to the largest queue depth a server may grant
        int firstSlot = cid == 0 ? InfoRsp.size(RtrsLimits.MAX_QUEUE_DEPTH) : RECEIVE_SLOT;
        c.setUp(pd, depth, depth, firstSlot, RECEIVE_SLOT);
        ConReq req = new ConReq(
                RtrsProtocol.MAGIC, RtrsProtocol.VERSION, cid, cidNum, reconCnt, uuid, session.uuid(), forNewClient);
        id.connect(RtrsCodec.encode(req), session.connectTimeoutMs());
    }

    /**
     * Work requests each queue of connection {@code cid} holds. As the kernel's client: connection 0 of several is the
     * service connection (INFO and heartbeats, no IO) and gets a few; the IO connections, set up once connection 0's
     * CON_RSP told the server's queue depth, two per chunk the server grants. A path of one connection carries IO on
     * connection 0 before it knows the depth, so it is sized for the largest one.
     */
    // this held
    private int queueSize(int cid) {
        if (cid == 0 && cidNum > 1) {
            return SERVICE_SLOTS;
        }
        int queueDepth = accepted == null
                ? PermitMemory.MAX_QUEUE_DEPTH
                : Math.min(accepted.queueDepth(), PermitMemory.MAX_QUEUE_DEPTH);
        return queueDepth * 2 + EXTRA_SLOTS;
    }

    // this held
    private void onEstablished(int cid, CmEvent event) throws VerbsException {
        ConRsp rsp;
        try {
            rsp = RtrsCodec.decodeConRsp(event.privateData());
        } catch (WireFormatException e) {
            attemptFailed(Errno.EPROTO, "malformed CON_RSP: " + e.getMessage());
            return;
        }
        String problem = rsp.acceptProblem();
        if (problem == null && accepted != null && !accepted.equals(rsp)) {
            problem = "connections of one path got different CON_RSP";
        }
        if (problem != null) {
            attemptFailed(Errno.EPROTO, problem);
            return;
        }
        accepted = rsp;
        if (cid == 0) {
            localAddress = event.id().localAddress();
            // as the kernel's client: a path that got through once may create the session again after a server
            // restart, whichever path reaches the server first
            forNewClient = true;
        }
        if (cid + 1 < cidNum) {
            startConnection(cid + 1);
        } else {
            int length = RtrsCodec.encode(new InfoReq(session.name()), infoRegion.buffer(), 0);
            connections[0].post(new SendWorkRequest(1)
                    .reset(WrIds.of(WrIds.INFO, 0), SendOpcode.SEND)
                    .addSge(infoRegion, 0, length));
        }
    }

    // this held
    private void onRejected(int cid, CmEvent event) {
        int errno = Errno.ECONNREFUSED;
        try {
            ConRsp rsp = RtrsCodec.decodeConRsp(event.privateData());
            if (rsp.magic() == RtrsProtocol.MAGIC && rsp.errno() < 0) {
                errno = -rsp.errno();
            }
        } catch (WireFormatException e) {
            // no RTRS answer: the peer's connection manager refused
        }
        attemptFailed(
                errno,
                "server " + address.destination() + " rejected connection " + cid + " with " + Errno.name(errno));
    }

    // called on the completion thread of connection 0
    private synchronized void onInfoResponse(ByteBuffer slot) {
        InfoRsp rsp;
        try {
            rsp = RtrsCodec.decodeInfoRsp(slot, 0, slot.remaining());
        } catch (WireFormatException e) {
            attemptFailed(Errno.EPROTO, "malformed INFO_RSP: " + e.getMessage());
            return;
        }
        if (accepted == null) {
            attemptFailed(Errno.EPROTO, "INFO_RSP before CON_RSP");
            return;
        }
        ChunkTable table;
        try {
            table = ChunkTable.of(rsp.chunks(), accepted.queueDepth(), accepted.maxIoSize() + accepted.maxHdrSize());
        } catch (WireFormatException e) {
            attemptFailed(Errno.EPROTO, "INFO_RSP: " + e.getMessage());
            return;
        }
        try {
            PermitMemory permits = session.pathReady(this, accepted);
            boolean fenced = ReadFence.supported(pd.device().capabilities());
            // with fenced READs nothing writes into the permit memory through this registration: no remote access
            permitRegion = pd.register(permits.memory(), Access.LOCAL_WRITE | (fenced ? 0 : Access.REMOTE_WRITE));
            readFence = fenced ? ReadFence.register(pd, permits, cidNum) : null;
        } catch (TransportException | VerbsException e) {
            attemptFailed(Errno.EINVAL, e.getMessage());
            return;
        }
        chunkAddress = table.addresses();
        chunkKey = table.keys();
        memBits = Imm.memBits(accepted.queueDepth());
        boolean reconnect = everConnected || failedAttempts > 0;
        everConnected = true;
        failedAttempts = 0;
        state = PathState.CONNECTED;
        if (reconnect) {
            counters.reconnected();
        }
        LOG.info(
                "session {}: path {} connected ({} connections, queue depth {}, max IO {} bytes)",
                session.name(),
                address,
                cidNum,
                accepted.queueDepth(),
                accepted.maxIoSize());
        liveness = new PathLiveness("session " + session.name() + " path " + address, connections, this::declaredDead);
        session.recovery().pathConnected(this, liveness);
    }

    // this held
    private void attemptFailed(int errno, String why) {
        if (state == PathState.CLOSED || state == PathState.CLOSING || state == PathState.CONNECTED) {
            if (state == PathState.CONNECTED) {
                lost(why);
            }
            return;
        }
        // a server that stays away would fill the log: the first failure of a streak and every 30th are warnings
        if (failedAttempts % 30 == 0) {
            LOG.warn(
                    "session {}: path {}: {} ({}){}",
                    session.name(),
                    address,
                    why,
                    Errno.name(errno),
                    failedAttempts == 0 ? "" : "; " + failedAttempts + " attempts failed so far");
        } else {
            LOG.debug("session {}: path {}: {} ({})", session.name(), address, why, Errno.name(errno));
        }
        generation++;
        failedAttempts++;
        if (everConnected) {
            counters.reconnectFailed();
        }
        Runnable release = detachAttempt();
        session.executor().execute(release);
        session.recovery().pathAttemptFailed(this, generation, errno, why);
    }

    // this held
    private void lost(String why) {
        LOG.warn("session {}: path {} lost: {}", session.name(), address, why);
        generation++;
        state = PathState.RECONNECTING;
        PathLiveness old = liveness;
        liveness = null;
        Runnable release = detachAttempt();
        session.executor().execute(release);
        session.recovery().pathLost(this, generation, old);
    }

    /** The heartbeat's verdict on one incarnation; a verdict on an earlier one is ignored. */
    private synchronized void declaredDead(PathLiveness incarnation, String why) {
        if (incarnation == liveness && state == PathState.CONNECTED) {
            lost("heartbeat: " + why);
        }
    }

    /**
     * Takes the current attempt's connections and registrations away from the path (the next attempt starts with
     * its own protection domain) and returns what closes them, to run off the completion and CM threads.
     */
    private synchronized Runnable detachAttempt() {
        Connection[] oldConnections = connections;
        MemoryRegion oldPermit = permitRegion;
        MemoryRegion oldInfo = infoRegion;
        ProtectionDomain oldPd = pd;
        ReadFence oldFence = readFence;
        connections = new Connection[cidNum];
        permitRegion = null;
        readFence = null;
        infoRegion = null;
        pd = null;
        waiting = true;
        return () -> {
            for (Connection c : oldConnections) {
                if (c != null) {
                    c.close();
                }
            }
            if (oldPermit != null) {
                oldPermit.close();
            }
            if (oldFence != null) {
                oldFence.close();
            }
            if (oldInfo != null) {
                oldInfo.close();
            }
            if (oldPd != null) {
                oldPd.close();
            }
        };
    }

    /** Closes the path for good. */
    void close() {
        Runnable release;
        Connection[] old;
        PathLiveness oldLiveness;
        synchronized (this) {
            if (state == PathState.CLOSED) {
                return;
            }
            state = PathState.CLOSING;
            generation++;
            old = connections;
            oldLiveness = liveness;
            liveness = null;
            release = detachAttempt();
        }
        session.heartbeats().disconnected(oldLiveness);
        for (Connection c : old) {
            if (c != null) {
                c.disconnect();
            }
        }
        release.run();
        state = PathState.CLOSED;
    }

    // ---- IO ----

    /**
     * Posts an IO request into its chunk on this path. Returns false when the path cannot carry it now.
     * Called on the submitting thread (or the executor, on fail-over).
     */
    boolean post(ClientIo io) {
        Connection[] conns;
        MemoryRegion region;
        ReadFence fence;
        synchronized (this) {
            if (state != PathState.CONNECTED) {
                return false;
            }
            conns = connections;
            region = permitRegion;
            fence = readFence;
        }
        Connection c = conns[cidNum == 1 ? 0 : 1 + io.id() % (cidNum - 1)];
        int bufId = io.id();
        return PathIo.post(this, c, io, region, fence, chunkAddress[bufId], chunkKey[bufId], memBits);
    }

    // ---- completions ----

    /** Whether {@code c} belongs to the current attempt (completions of torn-down ones are ignored). */
    private synchronized boolean isCurrent(Connection c) {
        return connections[c.cid()] == c;
    }

    @Override
    public void onReceive(Connection c, WorkCompletion wc, ByteBuffer slot) {
        if (!isCurrent(c)) {
            return;
        }
        if (!wc.hasImmediate()) {
            ReadFence fence = readFence;
            if (wc.opcode() == WcOpcode.RECV && c.cid() == 0 && state != PathState.CONNECTED) {
                onInfoResponse(slot);
            } else if (wc.hasInvalidate() && fence != null) {
                fence.peerInvalidated(c.cid(), wc.invalidatedRkey());
            } else if (!wc.hasInvalidate()) {
                protocolError("message without immediate data on connection " + c.cid());
            }
            return;
        }
        int imm = wc.immediateData();
        ImmType type;
        try {
            type = Imm.type(imm);
        } catch (WireFormatException e) {
            protocolError(e.getMessage());
            return;
        }
        switch (type) {
            case IO_RSP, IO_RSP_W_INV -> onIoResponse(c, wc, slot, imm, type == ImmType.IO_RSP_W_INV);
            case HB_MSG ->
                c.post(new SendWorkRequest(1)
                        .reset(WrIds.of(WrIds.HEARTBEAT, 0), SendOpcode.RDMA_WRITE_WITH_IMM)
                        .immediate(Imm.encode(ImmType.HB_ACK, 0)));
            case HB_ACK -> {
                PathLiveness l = liveness;
                if (l != null) {
                    l.acknowledged();
                }
            }
            default -> protocolError("unexpected immediate " + type + " from the server");
        }
    }

    private void onIoResponse(Connection c, WorkCompletion wc, ByteBuffer slot, int imm, boolean withInvalidate) {
        String problem = PathIo.onResponse(session, this, chunkKey, readFence, c, wc, slot, imm, withInvalidate);
        if (problem != null) {
            protocolError(problem);
        }
    }

    @Override
    public void onSendCompleted(Connection c, WorkCompletion wc) {
        // send-queue space is released by Connection; a READ's LOCAL_INV completes the IO it held back, unless it
        // is of a torn-down attempt (fail-over has the IO then)
        if (wc.opcode() == WcOpcode.LOCAL_INV && WrIds.kind(wc.wrId()) == WrIds.INVALIDATE && isCurrent(c)) {
            session.completeInvalidated(this, WrIds.id(wc.wrId()));
        }
    }

    @Override
    public void onError(Connection c, WorkCompletion wc) {
        synchronized (this) {
            if (connections[c.cid()] != c) {
                return;
            }
            if (state == PathState.CONNECTED) {
                lost("connection " + c.cid() + ": " + wc.opcode() + " " + wc.status());
            } else if (state == PathState.CONNECTING || state == PathState.RECONNECTING) {
                attemptFailed(Errno.ECONNRESET, "connection " + c.cid() + ": " + wc.status());
            }
        }
    }

    private synchronized void protocolError(String what) {
        LOG.warn("session {}: path {}: protocol error: {}", session.name(), address, what);
        if (state == PathState.CONNECTED) {
            lost("protocol error");
        } else {
            attemptFailed(Errno.EPROTO, what);
        }
    }

    @Override
    public String toString() {
        return "path " + address + " of session " + session.name();
    }
}
