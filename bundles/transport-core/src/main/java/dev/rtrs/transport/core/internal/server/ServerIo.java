package dev.rtrs.transport.core.internal.server;

import dev.rtrs.transport.Direction;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.core.internal.wire.SgDesc;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One chunk of a server session and the IO that occupies it. The chunk is FREE, then BUSY from the client's IO
 * request while it is fenced and parsed, then HANDLED while the application (the block backend) has it, then
 * RESPONDED until the response is posted.
 *
 * <p>A request for a chunk whose IO is not finished is the client moving that IO from a path it saw die: the new
 * request waits, and starts once the previous IO has left the application, whether its path lives (a break only the
 * client saw) or not. So the chunk's memory, which the backend reads and writes, is never handed to a second IO, and
 * a write that reached the backend on a dead path lands before its resubmission, never after newer data.
 *
 * <p>The handler gets a {@link Request} of its own per IO: an answer that comes late, after the IO's path died
 * and the chunk went to another IO, is recognised by its generation and dropped.
 */
final class ServerIo {

    private static final int FREE = 0;
    private static final int BUSY = 1;
    private static final int HANDLED = 2;
    private static final int RESPONDED = 3;

    /** What became of a request for this chunk. */
    enum Claim {
        /** The chunk is the request's: start it. */
        CLAIMED,
        /** The chunk's previous IO is not finished: the request starts when it is. */
        DEFERRED,
        /** The same path asked for a chunk it already has in use: a protocol error. */
        REFUSED
    }

    /** A request waiting for the chunk. */
    record Waiting(ServerIo io, ServerPath path, int connection, int offset) {}

    final int bufId;
    /** The chunk's memory (position 0, limit = chunk size), shared with the device. */
    final ByteBuffer chunk;

    private final ServerSessionImpl session;
    private final AtomicInteger state = new AtomicInteger(FREE);
    /** Counts the IOs of this chunk; a request answers only while it is current. */
    private volatile int generation;
    /** The newest request that waits for the chunk; guarded by this. */
    private Waiting waiting;

    // set per IO by the path that received it
    ServerPath path;
    int connectionIndex;
    Direction direction;
    private ByteBuffer userHeader;
    private ByteBuffer data;
    List<SgDesc> readBuffers;
    boolean needInvalidate;
    long dataLength;

    ServerIo(ServerSessionImpl session, int bufId, ByteBuffer chunk) {
        this.session = session;
        this.bufId = bufId;
        this.chunk = chunk;
    }

    /**
     * Claims the chunk for a new IO. While the chunk's previous IO is not finished, a request from another path
     * waits (a newer one replaces an older waiting one: the client moved the IO again); one from the path that has
     * the chunk is refused.
     */
    synchronized Claim claim(ServerPath owner, int connection, int offset) {
        if (state.get() != FREE) {
            if (path == owner) {
                return Claim.REFUSED;
            }
            waiting = new Waiting(this, owner, connection, offset);
            return Claim.DEFERRED;
        }
        take(owner, connection);
        return Claim.CLAIMED;
    }

    // this held
    private void take(ServerPath owner, int connection) {
        state.set(BUSY);
        this.path = owner;
        this.connectionIndex = connection;
        this.generation++;
        this.readBuffers = List.of();
        this.needInvalidate = false;
    }

    /** The IO goes to the application; false when it is no longer current (its path let the chunk go). */
    synchronized boolean markHandled(int gen) {
        return generation == gen && state.compareAndSet(BUSY, HANDLED);
    }

    /** A WRITE: data at [0, headerStart), user header at [headerStart, messageOffset). */
    void prepareWrite(int headerStart, int messageOffset) {
        direction = Direction.WRITE;
        userHeader = slice(headerStart, messageOffset).asReadOnlyBuffer();
        data = slice(0, headerStart).asReadOnlyBuffer();
        dataLength = headerStart;
    }

    /**
     * A READ: the handler fills [0, dataLength) with the data to send back; the user header sits after it, at
     * [dataLength, messageOffset), where the handler's data never reaches.
     */
    void prepareRead(int dataLength, int messageOffset, List<SgDesc> buffers, boolean invalidate) {
        direction = Direction.READ;
        userHeader = slice(dataLength, messageOffset).asReadOnlyBuffer();
        readBuffers = buffers;
        needInvalidate = invalidate;
        this.dataLength = dataLength;
        data = slice(0, dataLength);
    }

    private ByteBuffer slice(int from, int to) {
        ByteBuffer b = chunk.duplicate();
        b.limit(to).position(from);
        return b.slice();
    }

    int generation() {
        return generation;
    }

    /** Marks IO {@code gen}'s response as given; returns its path, or null when it was given before or is stale. */
    synchronized ServerPath markResponded(int gen) {
        if (generation != gen || !(state.compareAndSet(HANDLED, RESPONDED) || state.compareAndSet(BUSY, RESPONDED))) {
            return null;
        }
        return path;
    }

    /**
     * Frees the chunk after IO {@code gen}, before its response leaves, so that no request finds it busy. A request
     * that waited for the chunk gets it instead, and is returned for its path to start. Nothing happens when the
     * chunk went to a later IO meanwhile.
     */
    synchronized Waiting free(int gen) {
        if (generation != gen) {
            return null;
        }
        return handOver();
    }

    /**
     * A closing path lets go of the chunk if it holds it and the application does not have it: an IO the
     * application has is finished by its answer, which frees the chunk then. Returns the request that waited for
     * the chunk, if it gets it now; {@code released[0]} tells whether the closing path held it.
     */
    synchronized Waiting releaseFrom(ServerPath closing, boolean[] released) {
        released[0] = false;
        if (waiting != null && waiting.path() == closing) {
            waiting = null;
        }
        if (path != closing || state.get() == FREE || state.get() == HANDLED) {
            return null;
        }
        released[0] = true;
        return handOver();
    }

    // this held
    private Waiting handOver() {
        Waiting next = waiting;
        waiting = null;
        if (next != null && !next.path().isClosed()) {
            take(next.path(), next.connection());
            return next;
        }
        path = null;
        state.set(FREE);
        session.giveBackIfIdle();
        return null;
    }

    boolean isFree() {
        return state.get() == FREE;
    }

    /** The request the handler gets for the current IO. */
    ServerRequest request() {
        return new Request(this, generation);
    }

    /** The chunk behind a request this class made. */
    static ServerIo of(ServerRequest request) {
        return ((Request) request).io;
    }

    /** One IO as the handler sees it. */
    private static final class Request implements ServerRequest {
        private final ServerIo io;
        private final int generation;

        Request(ServerIo io, int generation) {
            this.io = io;
            this.generation = generation;
        }

        @Override
        public ServerSession session() {
            return io.session;
        }

        @Override
        public Direction direction() {
            return io.direction;
        }

        @Override
        public ByteBuffer userHeader() {
            return io.userHeader.duplicate();
        }

        @Override
        public ByteBuffer data() {
            return io.data;
        }

        @Override
        public void respond(int errno) {
            ServerPath p = io.markResponded(generation);
            if (p != null) {
                p.respond(io, generation, Math.abs(errno));
            }
        }
    }

    @Override
    public String toString() {
        return "ServerIo[" + session.name() + " chunk " + bufId + " " + direction + "]";
    }
}
