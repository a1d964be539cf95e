package dev.rtrs.transport.core.internal.server;

import dev.rtrs.transport.Direction;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.ServerSession;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One chunk of a server session and the IO that occupies it. The chunk is FREE, then BUSY from the client's IO
 * request while it is fenced and parsed, then HANDLED while the application (the block backend) has it, then
 * RESPONDED until the response is posted.
 *
 * <p>The chunk's memory is the claiming path's own ({@link PathMemory}): the views the handler gets are that path's,
 * set when the path claims the chunk.
 *
 * <p>A request for a chunk whose IO is not finished is the client moving that IO from a path it saw die: the new
 * request waits, and starts once the previous IO has left the application, whether its path lives (a break only the
 * client saw) or not. So a write that reached the backend on a dead path lands before its resubmission, never after
 * newer data; and as each path has memory of its own, the resubmission's data never touches the memory the backend
 * still has.
 *
 * <p>The handler gets a {@link Request} of its own per IO: an answer that comes late, after the IO's path died
 * and the chunk went to another IO, is recognised by its generation and dropped. That small object is the IO path's
 * only allocation here: the views of the chunk are made once and re-pointed per IO, and the user header is copied
 * into a buffer of the chunk's own, so that what the handler parsed cannot change under it whatever the client
 * writes into the chunk meanwhile.
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
    /** The claiming path's memory of this chunk (position 0, limit = chunk size); set per IO. */
    ByteBuffer chunk;
    /** The data of a WRITE: the claiming path's read-only view, re-pointed per IO. */
    private ByteBuffer writeData;
    /** The buffer a READ's handler fills: the claiming path's view, re-pointed per IO. */
    private ByteBuffer readData;
    /** The user header's copy; grows to the longest header seen, at most the chunk. */
    private ByteBuffer userHeader = ByteBuffer.allocate(64);
    /** What the handler sees of the copy: read-only. */
    private ByteBuffer userHeaderView = userHeader.asReadOnlyBuffer();

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
    private ByteBuffer data;
    /** A READ's buffer at the client (the kernel's server takes one at most), when it names one. */
    boolean hasReadBuffer;

    long readAddress;
    int readKey;
    int readLength;
    boolean needInvalidate;
    long dataLength;
    /** Where the IO's message lies in the chunk (the immediate's offset), kept while the chunk is fenced. */
    int messageOffset;

    ServerIo(ServerSessionImpl session, int bufId) {
        this.session = session;
        this.bufId = bufId;
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
        PathMemory memory = owner.memory();
        this.chunk = memory.chunk(bufId);
        this.writeData = memory.writeView(bufId);
        this.readData = memory.readView(bufId);
        this.connectionIndex = connection;
        this.generation++;
        this.hasReadBuffer = false;
        this.needInvalidate = false;
    }

    /** The IO goes to the application; false when it is no longer current (its path let the chunk go). */
    synchronized boolean markHandled(int gen) {
        return generation == gen && state.compareAndSet(BUSY, HANDLED);
    }

    /** A WRITE: data at [0, headerStart), user header at [headerStart, messageOffset). */
    void prepareWrite(int headerStart, int messageOffset) {
        direction = Direction.WRITE;
        copyUserHeader(headerStart, messageOffset);
        data = writeData;
        data.limit(headerStart).position(0);
        dataLength = headerStart;
    }

    /**
     * A READ: the handler fills [0, dataLength) with the data to send back; the user header sits after it, at
     * [dataLength, messageOffset), where the handler's data never reaches.
     */
    void prepareRead(int dataLength, int messageOffset, boolean invalidate) {
        direction = Direction.READ;
        copyUserHeader(dataLength, messageOffset);
        needInvalidate = invalidate;
        this.dataLength = dataLength;
        data = readData;
        data.limit(dataLength).position(0);
    }

    /** The READ's one buffer at the client. */
    void readBuffer(long address, int key, int length) {
        hasReadBuffer = true;
        readAddress = address;
        readKey = key;
        readLength = length;
    }

    private void copyUserHeader(int from, int to) {
        int length = to - from;
        if (userHeader.capacity() < length) {
            userHeader = ByteBuffer.allocate(Integer.highestOneBit(Math.max(1, length - 1)) << 1);
            userHeaderView = userHeader.asReadOnlyBuffer();
        }
        userHeader.put(0, chunk, from, length);
        userHeaderView.limit(length).position(0);
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
        return null;
    }

    /** True while an IO of {@code p}'s holds the chunk, and with it {@code p}'s memory. */
    synchronized boolean isHeldBy(ServerPath p) {
        return path == p && state.get() != FREE;
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
            // the same buffer on each call while the IO is current; re-pointed in case the handler moved it
            io.userHeaderView.position(0);
            return io.userHeaderView;
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
