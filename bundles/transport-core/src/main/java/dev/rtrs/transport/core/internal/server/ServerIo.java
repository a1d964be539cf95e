package dev.rtrs.transport.core.internal.server;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.rtrs.transport.Direction;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.core.internal.wire.SgDesc;

/**
 * One chunk of a server session and the IO that occupies it. The chunk is FREE, then BUSY from the
 * client's IO request until the response is posted; a request for a busy chunk is a protocol error.
 *
 * <p>The handler gets a {@link Request} of its own per IO: an answer that comes late, after the IO's path died
 * and the chunk went to another IO, is recognised by its generation and dropped.
 */
final class ServerIo {

    private static final int FREE = 0;
    private static final int BUSY = 1;
    private static final int RESPONDED = 2;

    final int bufId;
    /** The chunk's memory (position 0, limit = chunk size), shared with the device. */
    final ByteBuffer chunk;
    private final ServerSessionImpl session;
    private final ByteBuffer headerCopy;
    private final AtomicInteger state = new AtomicInteger(FREE);
    /** Counts the IOs of this chunk; a request answers only while it is current. */
    private volatile int generation;

    // set per IO by the path that received it
    ServerPath path;
    int connectionIndex;
    Direction direction;
    private ByteBuffer userHeader;
    private ByteBuffer data;
    List<SgDesc> readBuffers;
    boolean needInvalidate;
    long dataLength;

    ServerIo(ServerSessionImpl session, int bufId, ByteBuffer chunk, int maxHeader) {
        this.session = session;
        this.bufId = bufId;
        this.chunk = chunk;
        this.headerCopy = ByteBuffer.allocate(maxHeader);
    }

    /**
     * Claims the chunk for a new IO; false when another IO of a live path still has it. A chunk still held by a
     * path that is going away is taken over: the client moved that IO here, and the old holder's answer will be
     * dropped by its generation.
     */
    synchronized boolean claim(ServerPath owner, int connection) {
        if (state.get() != FREE) {
            ServerPath holder = path;
            if (holder == null || holder == owner || !holder.isClosed()) {
                return false;
            }
        }
        state.set(BUSY);
        this.path = owner;
        this.connectionIndex = connection;
        this.generation++;
        this.readBuffers = List.of();
        this.needInvalidate = false;
        return true;
    }

    /** A WRITE: data at [0, headerStart), user header at [headerStart, messageOffset). */
    void prepareWrite(int headerStart, int messageOffset) {
        direction = Direction.WRITE;
        userHeader = slice(headerStart, messageOffset).asReadOnlyBuffer();
        data = slice(0, headerStart).asReadOnlyBuffer();
        dataLength = headerStart;
    }

    /**
     * A READ: the user header is copied out of the chunk, because the handler fills the chunk from offset 0
     * with the data to send back.
     */
    void prepareRead(int headerStart, int messageOffset, List<SgDesc> buffers, boolean invalidate, int length) {
        direction = Direction.READ;
        headerCopy.clear();
        headerCopy.put(slice(headerStart, messageOffset)).flip();
        userHeader = headerCopy.asReadOnlyBuffer();
        readBuffers = buffers;
        needInvalidate = invalidate;
        dataLength = length;
        data = slice(0, length);
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
        if (generation != gen || !state.compareAndSet(BUSY, RESPONDED)) {
            return null;
        }
        return path;
    }

    /**
     * Frees the chunk after IO {@code gen} for the client's next IO; called before the response leaves, so no
     * request finds it busy. Nothing happens when the chunk went to a later IO meanwhile.
     */
    synchronized void free(int gen) {
        if (generation == gen) {
            path = null;
            state.set(FREE);
        }
    }

    /** Frees the chunk if {@code closing} still holds it; true when it did. */
    synchronized boolean releaseFrom(ServerPath closing) {
        if (path != closing || state.get() == FREE) {
            return false;
        }
        path = null;
        state.set(FREE);
        return true;
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
