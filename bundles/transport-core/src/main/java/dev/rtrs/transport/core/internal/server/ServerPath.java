package dev.rtrs.transport.core.internal.server;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.core.internal.conn.Connection;
import dev.rtrs.transport.core.internal.conn.PathLiveness;
import dev.rtrs.transport.core.internal.conn.WrIds;
import dev.rtrs.transport.core.internal.stats.PathCounters;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.ImmType;
import dev.rtrs.transport.core.internal.wire.InfoReq;
import dev.rtrs.transport.core.internal.wire.InfoRsp;
import dev.rtrs.transport.core.internal.wire.RkeyRsp;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.SgDesc;
import dev.rtrs.transport.core.internal.wire.WireFormatException;
import dev.rtrs.transport.core.internal.wire.WriteMsg;
import dev.rtrs.transport.log.RateLimitedLog;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WorkCompletion;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One path of a server session: its connections, its own memory for the session's chunks and their registration
 * (each chunk a memory region of its own, so that its rkey can be invalidated alone), and the IO it carries. As no
 * other path registers this memory, each chunk of it is writable through one rkey at most: this path's.
 *
 * <p>always_invalidate: an IO request's chunk is fenced by LOCAL_INV, and only the invalidation's completion
 * lets the message be parsed and the handler see the data. The response re-registers the chunk with a fresh
 * key (REG_MR) and carries it in RKEY_RSP. Without fast registration the chunk is deregistered instead and
 * registered again for the response.
 */
final class ServerPath implements Connection.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(ServerPath.class);
    private static final RateLimitedLog WARN = RateLimitedLog.of(LOG);
    private static final int CHUNK_ACCESS = Access.LOCAL_WRITE | Access.REMOTE_WRITE;
    private static final int RECEIVE_SLOT = 512;
    private static final int EXTRA_RECEIVES = 16;

    final UUID uuid;
    final int reconCnt;
    /** When the path's first connect request came (System.nanoTime). */
    final long createdNanos = System.nanoTime();

    final PathCounters counters = new PathCounters();
    private final ServerSessionImpl session;
    private final ServerEndpointImpl endpoint;
    private final Connection[] connections;
    private final SendWorkRequest[] heartbeatAckWr;
    private final ProtectionDomain pd;
    private final MemoryRegion[] chunkRegions;
    /** The path's chunk memory, from its valid INFO_REQ on; given back once the path is closed and no IO has it. */
    private volatile PathMemory memory;

    private final AtomicBoolean memoryGivenBack = new AtomicBoolean();
    private final MemoryRegion responseRegion;
    /** The response region's memory, taken once: the IO path writes each RKEY_RSP into it. */
    private final ByteBuffer responses;

    private final MemoryRegion infoRegion;
    private final boolean alwaysInvalidate;
    private final boolean fastInvalidate;
    private final boolean fastRegistration;
    private final int memBits;
    private final int maxIoSize;
    private final SendWorkRequest[] invalidateWr;
    private final SendWorkRequest[] registerWr;
    private final SendWorkRequest[] responseWr;
    private final SendWorkRequest[] invalidateSendWr;
    private final SendWorkRequest[] readDataWr;
    private final int[] pendingOffset;
    private volatile PathState state = PathState.CONNECTING;
    private volatile InetSocketAddress clientAddress;
    private volatile InetSocketAddress serverAddress;
    /** The heartbeat's view of this path once connected; null before. */
    private volatile PathLiveness liveness;

    ServerPath(ServerSessionImpl session, UUID uuid, int cidNum, int reconCnt, CmId firstId) throws VerbsException {
        this.session = session;
        this.endpoint = session.endpoint();
        this.uuid = uuid;
        this.reconCnt = reconCnt;
        this.connections = new Connection[cidNum];
        this.heartbeatAckWr = new SendWorkRequest[cidNum];
        for (int i = 0; i < cidNum; i++) {
            heartbeatAckWr[i] = new SendWorkRequest(0);
        }
        this.alwaysInvalidate = endpoint.options().alwaysInvalidate();
        var caps = firstId.device().capabilities();
        this.fastInvalidate = caps.supports(Capability.LOCAL_INVALIDATE);
        this.fastRegistration = caps.supports(Capability.FAST_REGISTRATION);
        this.memBits = Imm.memBits(session.queueDepth);
        this.maxIoSize = endpoint.maxIoSize();
        int qd = session.queueDepth;
        this.pd = firstId.device().allocateProtectionDomain();
        // registered with the INFO exchange, once the session has chunk memory
        this.chunkRegions = new MemoryRegion[qd];
        this.clientAddress = firstId.remoteAddress();
        this.serverAddress = firstId.localAddress();
        this.responseRegion = pd.register(ByteBuffer.allocateDirect(qd * RkeyRsp.SIZE), Access.LOCAL_WRITE);
        this.responses = responseRegion.buffer();
        this.infoRegion = pd.register(ByteBuffer.allocateDirect(InfoRsp.size(qd)), Access.LOCAL_WRITE);
        this.invalidateWr = new SendWorkRequest[qd];
        this.registerWr = new SendWorkRequest[qd];
        this.responseWr = new SendWorkRequest[qd];
        this.invalidateSendWr = new SendWorkRequest[qd];
        this.readDataWr = new SendWorkRequest[qd];
        this.pendingOffset = new int[qd];
        for (int i = 0; i < qd; i++) {
            invalidateWr[i] = new SendWorkRequest(1);
            registerWr[i] = new SendWorkRequest(1);
            responseWr[i] = new SendWorkRequest(1);
            invalidateSendWr[i] = new SendWorkRequest(1);
            readDataWr[i] = new SendWorkRequest(1);
        }
    }

    // ---- connection establishment ----

    /** Sets up connection {@code cid} on a new CM id; returns false when that connection already exists. */
    synchronized boolean addConnection(int cid, CmId id) throws VerbsException {
        if (connections[cid] != null || state != PathState.CONNECTING) {
            return false;
        }
        Connection c = new Connection(id, cid, this, session.name() + " path " + uuid + " cid " + cid);
        int qd = session.queueDepth;
        int sendDepth = Math.min(
                Math.min(id.device().capabilities().maxQueuePairWorkRequests(), qd * 3 + EXTRA_RECEIVES),
                endpoint.sendQueueLimit());
        int receiveDepth = Math.min(id.device().capabilities().maxQueuePairWorkRequests(), qd + EXTRA_RECEIVES);
        c.setUp(pd, sendDepth, receiveDepth, RECEIVE_SLOT, RECEIVE_SLOT);
        connections[cid] = c;
        id.setEventHandler(event -> endpoint.onConnectionEvent(this, cid, event));
        return true;
    }

    void connectionEstablished(int cid) {
        Connection c = connections[cid];
        if (c != null && cid == 0) {
            clientAddress = c.cmId().remoteAddress();
            serverAddress = c.cmId().localAddress();
        }
    }

    /** True when the path links the same two hosts as a connection from {@code client} to {@code server}. */
    boolean hasAddresses(InetSocketAddress client, InetSocketAddress server) {
        InetSocketAddress c = clientAddress;
        InetSocketAddress s = serverAddress;
        return c != null
                && s != null
                && client != null
                && server != null
                && c.getAddress().equals(client.getAddress())
                && s.getAddress().equals(server.getAddress());
    }

    /** The path's chunk memory; null before its INFO exchange. */
    PathMemory memory() {
        return memory;
    }

    /** The chunk's registration on this path. */
    int chunkCount() {
        return chunkRegions.length;
    }

    MemoryRegion chunkRegion(int bufId) {
        return chunkRegions[bufId];
    }

    long deferredPosts() {
        long total = 0;
        for (Connection c : connections) {
            total += c == null ? 0 : c.deferredPosts();
        }
        return total;
    }

    // the client sends INFO_REQ once it saw every connection established, which may be before this side's
    // ESTABLISHED events were delivered: accepted is what counts
    private synchronized boolean allConnectionsAccepted() {
        for (Connection c : connections) {
            if (c == null) {
                return false;
            }
        }
        return true;
    }

    int connectionCount() {
        return connections.length;
    }

    PathState state() {
        return state;
    }

    boolean isClosed() {
        return state == PathState.CLOSED || state == PathState.CLOSING;
    }

    /** The heartbeat's view of this path, or null before it is connected. */
    PathLiveness liveness() {
        return liveness;
    }

    PathInfo info() {
        PathLiveness l = liveness;
        return new PathInfo(
                uuid,
                clientAddress,
                serverAddress,
                state,
                connections.length,
                counters.snapshot(),
                l == null ? -1 : l.roundTripNanos());
    }

    // ---- completions ----

    @Override
    public void onReceive(Connection c, WorkCompletion wc, ByteBuffer slot) {
        if (wc.opcode() == WcOpcode.RECV && !wc.hasImmediate()) {
            onInfoRequest(c, slot);
            return;
        }
        if (!wc.hasImmediate()) {
            protocolError(c, "receive without immediate data");
            return;
        }
        int imm = wc.immediateData();
        ImmType type;
        try {
            type = Imm.type(imm);
        } catch (WireFormatException e) {
            protocolError(c, e.getMessage());
            return;
        }
        switch (type) {
            case IO_REQ -> onIoRequest(c, Imm.payload(imm));
            case HB_MSG -> sendHeartbeatAck(c);
            case HB_ACK -> {
                PathLiveness l = liveness;
                if (l != null) {
                    l.acknowledged();
                }
            }
            default -> protocolError(c, "unexpected immediate " + type + " from a client");
        }
    }

    @Override
    public void onSendCompleted(Connection c, WorkCompletion wc) {
        // a closing path has let go of its chunks already
        if (WrIds.kind(wc.wrId()) == WrIds.INVALIDATE && !isClosed()) {
            int bufId = WrIds.id(wc.wrId());
            process(session.ios()[bufId], pendingOffset[bufId]);
        }
    }

    @Override
    public void onError(Connection c, WorkCompletion wc) {
        if (!isClosed()) {
            close("connection " + c.cid() + ": " + wc.opcode() + " " + wc.status());
        }
    }

    private void onInfoRequest(Connection c, ByteBuffer slot) {
        InfoReq req;
        try {
            req = RtrsCodec.decodeInfoReq(slot, 0, slot.remaining());
        } catch (WireFormatException e) {
            protocolError(c, e.getMessage());
            return;
        }
        if (!allConnectionsAccepted() || state != PathState.CONNECTING) {
            protocolError(c, "INFO_REQ before all " + connections.length + " connections are up");
            return;
        }
        if (session.wasAnnounced() && !session.name().equals(req.sessionName())) {
            protocolError(
                    c, "INFO_REQ names session '" + req.sessionName() + "', the session is '" + session.name() + "'");
            return;
        }
        String name = req.sessionName();
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('.') >= 0) {
            // as the kernel: the name becomes a sysfs directory
            refuseInfo(c, Errno.EINVAL, "session name '" + name + "' is empty or holds '/' or '.'");
            return;
        }
        if (endpoint.nameHeldByAnother(session, name)) {
            refuseInfo(c, Errno.EPERM, "session name '" + name + "' is held by another live session");
            return;
        }
        ByteBuffer block = endpoint.chunkPool().take();
        if (block == null) {
            refuseInfo(
                    c,
                    Errno.ENOMEM,
                    "no chunk memory for another path: the server holds its limit of "
                            + endpoint.options().maxPaths() + " paths, or the JVM's direct memory is used up");
            return;
        }
        PathMemory own = new PathMemory(block, session.queueDepth, session.chunkSize);
        session.name(name);
        session.createChunks();
        memory = own;
        List<SgDesc> chunks = new ArrayList<>(chunkRegions.length);
        try {
            for (int i = 0; i < chunkRegions.length; i++) {
                chunkRegions[i] = pd.register(own.chunk(i), CHUNK_ACCESS);
                chunks.add(new SgDesc(chunkRegions[i].address(), chunkRegions[i].rkey(), session.chunkSize));
            }
        } catch (VerbsException e) {
            refuseInfo(c, e.errno(), "cannot register the session's chunks: " + e.getMessage());
            return;
        }
        int length = RtrsCodec.encode(new InfoRsp(chunks), infoRegion.buffer(), 0);
        SendWorkRequest wr = new SendWorkRequest(1)
                .reset(WrIds.of(WrIds.INFO, 0), SendOpcode.SEND)
                .addSge(infoRegion, 0, length);
        state = PathState.CONNECTED;
        liveness = new PathLiveness(
                "server session " + session.name() + " path " + uuid + " from " + clientAddress,
                connections,
                (l, why) -> close("heartbeat: " + why));
        c.post(wr);
        endpoint.pathConnected(session, this);
    }

    /** An INFO_REQ that cannot be answered: the path closes, as in the kernel, which has no refusal message. */
    private void refuseInfo(Connection c, int errno, String why) {
        WARN.warn(
                "info-refused",
                "{} path {} from {}: INFO_REQ refused with {}: {}; closing the path",
                session.name(),
                uuid,
                clientAddress,
                Errno.name(errno),
                why);
        close("INFO_REQ refused");
    }

    // ---- IO ----

    private void onIoRequest(Connection c, int payload) {
        if (isClosed()) {
            // requests the client sent before it saw the path close: nothing to answer, nothing wrong
            return;
        }
        if (state != PathState.CONNECTED) {
            protocolError(c, "IO request before the INFO exchange");
            return;
        }
        int bufId = Imm.bufId(payload, memBits);
        int offset = Imm.offset(payload, memBits);
        if (bufId >= session.queueDepth || offset > session.chunkSize - WriteMsg.SIZE) {
            protocolError(
                    c,
                    "IO request for chunk " + bufId + " offset " + offset + " outside " + session.queueDepth
                            + " chunks of " + session.chunkSize + " bytes");
            return;
        }
        ServerIo io = session.ios()[bufId];
        switch (io.claim(this, c.cid(), offset)) {
            case CLAIMED -> startIo(io, c.cid(), offset);
            case DEFERRED -> LOG.debug("{} path {}: chunk {} waits for its previous IO", session.name(), uuid, bufId);
            case REFUSED -> protocolError(c, "IO request for chunk " + bufId + " which is still in use");
        }
    }

    /**
     * Starts an IO whose chunk this path holds: fences the chunk, then hands it on. Called on a completion thread,
     * or, for an IO that waited for its chunk, on the thread that freed the chunk.
     */
    private void startIo(ServerIo io, int cid, int offset) {
        int bufId = io.bufId;
        Connection c = connections[cid];
        if (isClosed() || c == null) {
            // the path went while the IO waited: the chunk goes to whoever waits next
            startWaiting(io.releaseFrom(this, new boolean[1]));
            giveBackMemoryIfIdle();
            return;
        }
        counters.ioStarted();
        if (!alwaysInvalidate) {
            process(io, offset);
        } else if (fastInvalidate) {
            pendingOffset[bufId] = offset;
            SendWorkRequest wr = invalidateWr[bufId]
                    .reset(WrIds.of(WrIds.INVALIDATE, bufId), SendOpcode.LOCAL_INV)
                    .invalidate(chunkRegions[bufId].rkey());
            c.post(wr);
        } else {
            // no LOCAL_INV: deregistration is the fence
            chunkRegions[bufId].close();
            process(io, offset);
        }
    }

    /** Starts the IO that got a chunk when its previous IO finished; it may be on another path. */
    private static void startWaiting(ServerIo.Waiting next) {
        if (next != null) {
            next.path().startIo(next.io(), next.connection(), next.offset());
        }
    }

    /** Runs once the chunk is fenced: validates the message and hands the IO to the application. */
    private void process(ServerIo io, int offset) {
        int generation = io.generation();
        int available = session.chunkSize - offset;
        try {
            IoLayout.prepare(io, offset, available, session.chunkSize, maxIoSize);
        } catch (WireFormatException e) {
            WARN.warn("bad-io-message", "{} path {}: chunk {}: {}", session.name(), uuid, io.bufId, e.getMessage());
            io.direction = Direction.WRITE;
            io.dataLength = 0;
            if (io.markResponded(generation) != null) {
                respond(io, generation, e.errno());
            }
            return;
        }
        if (!io.markHandled(generation)) {
            return;
        }
        try {
            endpoint.handler().onRequest(io.request());
        } catch (RuntimeException e) {
            LOG.error("{}: request handler failed on chunk {}", session.name(), io.bufId, e);
            if (io.markResponded(generation) != null) {
                respond(io, generation, Errno.EIO);
            }
        }
    }

    /** Sends the response of an IO (and a READ's data first). Called once per IO, from any thread. */
    void respond(ServerIo io, int generation, int errno) {
        int bufId = io.bufId;
        Connection c = connections[io.connectionIndex];
        if (isClosed() || c == null || c.isFailed()) {
            counters.ioLeft();
            startWaiting(io.free(generation));
            giveBackMemoryIfIdle();
            return;
        }
        int rkey = 0;
        SendWorkRequest register = null;
        try {
            // without fast registration the chunk was deregistered as the fence: register it anew before the
            // READ data leaves through it; with fast registration the data leaves through the current lkey and
            // the REG_MR of the fresh key follows it in send-queue order
            if (alwaysInvalidate && !fastRegistration) {
                rkey = renewKey(bufId);
            }
            if (io.direction == Direction.READ && errno == 0) {
                postReadData(c, io);
            }
            if (alwaysInvalidate && fastRegistration) {
                rkey = renewKey(bufId);
                register = registerWr[bufId]
                        .reset(WrIds.of(WrIds.REGISTER, bufId), SendOpcode.REG_MR)
                        .registration(chunkRegions[bufId], CHUNK_ACCESS);
            }
        } catch (VerbsException e) {
            LOG.error("{} path {}: cannot renew the key of chunk {}: {}", session.name(), uuid, bufId, e.getMessage());
            close("chunk registration failed");
            return;
        }
        boolean withInvalidate = io.needInvalidate && io.direction == Direction.READ;
        if (withInvalidate) {
            c.post(invalidateSendWr[bufId]
                    .reset(WrIds.of(WrIds.RESPONSE, bufId), SendOpcode.SEND_WITH_INV)
                    .invalidate(io.readKey));
        }
        int imm = Imm.ioResponse(bufId, errno, withInvalidate);
        SendWorkRequest rsp = responseWr[bufId];
        if (alwaysInvalidate) {
            RtrsCodec.putRkeyRsp(responses, bufId * RkeyRsp.SIZE, bufId, rkey);
            rsp.reset(WrIds.of(WrIds.RESPONSE, bufId), SendOpcode.SEND_WITH_IMM)
                    .addSge(responseRegion, bufId * RkeyRsp.SIZE, RkeyRsp.SIZE)
                    .immediate(imm);
        } else {
            rsp.reset(WrIds.of(WrIds.RESPONSE, bufId), SendOpcode.RDMA_WRITE_WITH_IMM)
                    .immediate(imm);
        }
        if (io.direction == Direction.READ) {
            counters.readDone(io.dataLength);
        } else {
            counters.writeDone(io.dataLength);
        }
        // free before the response leaves: the client may reuse the chunk as soon as it sees the response
        ServerIo.Waiting next = io.free(generation);
        if (register != null) {
            c.post(register);
        }
        c.post(rsp);
        startWaiting(next);
    }

    private int renewKey(int bufId) throws VerbsException {
        if (fastRegistration) {
            return chunkRegions[bufId].updateKey();
        }
        // the old region was closed as the fence (no LOCAL_INV) or must be now (no REG_MR)
        chunkRegions[bufId].close();
        chunkRegions[bufId] = pd.register(memory.chunk(bufId), CHUNK_ACCESS);
        return chunkRegions[bufId].rkey();
    }

    private void postReadData(Connection c, ServerIo io) {
        if (!io.hasReadBuffer || io.readLength == 0) {
            return;
        }
        SendWorkRequest wr = readDataWr[io.bufId]
                .reset(WrIds.of(WrIds.READ_DATA, io.bufId), SendOpcode.RDMA_WRITE)
                .addSge(chunkRegions[io.bufId], 0, io.readLength)
                .remote(io.readAddress, io.readKey);
        c.post(wr);
    }

    /**
     * Answers HB_MSG with HB_ACK from the connection's one reusable request (receives of a connection are handled
     * one at a time). A full send queue drops the answer: a peer that floods heartbeats gets fewer answers.
     */
    private void sendHeartbeatAck(Connection c) {
        SendWorkRequest wr = heartbeatAckWr[c.cid()]
                .reset(WrIds.of(WrIds.HEARTBEAT, 0), SendOpcode.RDMA_WRITE_WITH_IMM)
                .immediate(Imm.encode(ImmType.HB_ACK, 0));
        c.postIfRoom(wr);
    }

    // ---- teardown ----

    private void protocolError(Connection c, String what) {
        WARN.warn(
                "protocol-error",
                "{} path {}: protocol error on connection {}: {}; closing the path",
                session.name(),
                uuid,
                c.cid(),
                what);
        close("protocol error");
    }

    /** Closes every connection of the path and leaves the session. Idempotent. */
    void close(String reason) {
        boolean wasConnected;
        synchronized (this) {
            if (isClosed()) {
                return;
            }
            wasConnected = state == PathState.CONNECTED;
            state = PathState.CLOSING;
        }
        if (wasConnected) {
            LOG.info("{}: closing path {} ({})", session.name(), uuid, reason);
        } else {
            // a handshake that never completed: what refused it was logged, rate-limited, already
            LOG.debug("{}: closing path {} before its handshake completed ({})", session.name(), uuid, reason);
        }
        endpoint.heartbeats().disconnected(liveness);
        for (Connection c : connections) {
            if (c != null) {
                c.close();
            }
        }
        // the path's keys die before any chunk changes hands: no write through them can land in a reused chunk
        for (MemoryRegion mr : chunkRegions) {
            if (mr != null) {
                mr.close();
            }
        }
        // chunks whose IO the application has stay held until it answers (respond frees them then)
        boolean[] released = new boolean[1];
        ServerIo[] ios = session.ios();
        for (ServerIo io : ios == null ? new ServerIo[0] : ios) {
            ServerIo.Waiting next = io.releaseFrom(this, released);
            if (released[0]) {
                counters.ioLeft();
            }
            startWaiting(next);
        }
        responseRegion.close();
        infoRegion.close();
        pd.close();
        state = PathState.CLOSED;
        giveBackMemoryIfIdle();
        endpoint.pathClosed(session, this);
    }

    /**
     * A closed path's memory goes back to the pool once no IO holds it: at the close, or when the application
     * answers the last IO it had of this path. Called with no chunk's lock held.
     */
    private void giveBackMemoryIfIdle() {
        PathMemory m = memory;
        ServerIo[] ios = session.ios();
        if (m == null || !isClosed() || ios == null) {
            return;
        }
        for (ServerIo io : ios) {
            if (io.isHeldBy(this)) {
                return;
            }
        }
        if (memoryGivenBack.compareAndSet(false, true)) {
            endpoint.chunkPool().give(m.block);
        }
    }
}
