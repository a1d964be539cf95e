package dev.rtrs.transport.core.internal.server;

import dev.rtrs.transport.Direction;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.ServerSession;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One chunk of a server session and the IO that occupies it. The chunk is FREE, then BUSY from the client's IO
 * request while it is fenced and parsed, then HANDLED while the application (the block backend) has it, then
 * RESPONDED until the response is posted.
 *
 * <p>The state, the IO's generation and whether a request waits for the chunk are one atomic word, so that an IO
 * that meets no other takes and leaves the chunk by compare-and-set alone: no lock per IO. The monitor is taken only
 * where requests meet: one that must wait for the chunk, the hand-over to it, and a closing path letting go. Those
 * move the word through CLAIMING, a short state that only its setter leaves, while they set the chunk's fields.
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
    private static final int CLAIMING = 1;
    private static final int BUSY = 2;
    private static final int HANDLED = 3;
    private static final int RESPONDED = 4;
    private static final long STATE = 7;
    /** A request waits for the chunk ({@link #waiting}); never set on a FREE word. */
    private static final long WAITING = 8;

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
    /** generation << 32 | WAITING | state. The generation counts the IOs of this chunk: a request answers only while
     * it is current. */
    private final AtomicLong word = new AtomicLong(FREE);
    /** The newest request that waits for the chunk; guarded by this. */
    private Waiting waiting;

    // set per IO by the path that claimed the chunk, before the word leaves CLAIMING
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

    private static int state(long w) {
        return (int) (w & STATE);
    }

    private static int generation(long w) {
        return (int) (w >>> 32);
    }

    private static long word(int generation, int state) {
        return ((long) generation << 32) | state;
    }

    /**
     * Claims the chunk for a new IO. While the chunk's previous IO is not finished, a request from another path
     * waits (a newer one replaces an older waiting one: the client moved the IO again); one from the path that has
     * the chunk is refused.
     */
    Claim claim(ServerPath owner, int connection, int offset) {
        return claimIfFree(word.get(), owner, connection) ? Claim.CLAIMED : claimOrWait(owner, connection, offset);
    }

    /** Takes the chunk if {@code w} is its word and free. */
    private boolean claimIfFree(long w, ServerPath owner, int connection) {
        if (state(w) == FREE && word.compareAndSet(w, word(generation(w), CLAIMING))) {
            take(owner, connection, generation(w));
            return true;
        }
        return false;
    }

    private synchronized Claim claimOrWait(ServerPath owner, int connection, int offset) {
        for (; ; ) {
            long w = settled();
            if (claimIfFree(w, owner, connection)) {
                return Claim.CLAIMED;
            }
            if (state(w) == FREE) {
                continue;
            }
            boolean samePath = path == owner;
            if (word.get() != w) {
                continue;
            }
            if (samePath) {
                return Claim.REFUSED;
            }
            if (word.compareAndSet(w, w | WAITING)) {
                waiting = new Waiting(this, owner, connection, offset);
                return Claim.DEFERRED;
            }
        }
    }

    /** The word once no claim is half done: CLAIMING lasts a few field stores, by a thread that never blocks. */
    private long settled() {
        long w;
        while (state(w = word.get()) == CLAIMING) {
            Thread.onSpinWait();
        }
        return w;
    }

    // the word is CLAIMING, set by this thread: the chunk's fields are this thread's until the word leaves it
    private void take(ServerPath owner, int connection, int previousGeneration) {
        this.path = owner;
        this.connectionIndex = connection;
        PathMemory memory = owner.memory();
        this.chunk = memory.chunk(bufId);
        this.writeData = memory.writeView(bufId);
        this.readData = memory.readView(bufId);
        this.hasReadBuffer = false;
        this.needInvalidate = false;
        word.set(word(previousGeneration + 1, BUSY));
    }

    /** The IO goes to the application; false when it is no longer current (its path let the chunk go). */
    boolean markHandled(int gen) {
        for (; ; ) {
            long w = word.get();
            if (generation(w) != gen || state(w) != BUSY) {
                return false;
            }
            if (word.compareAndSet(w, (w & ~STATE) | HANDLED)) {
                return true;
            }
        }
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
        return generation(word.get());
    }

    /** Marks IO {@code gen}'s response as given; returns its path, or null when it was given before or is stale. */
    ServerPath markResponded(int gen) {
        for (; ; ) {
            long w = word.get();
            int st = state(w);
            if (generation(w) != gen || (st != BUSY && st != HANDLED)) {
                return null;
            }
            if (word.compareAndSet(w, (w & ~STATE) | RESPONDED)) {
                return path;
            }
        }
    }

    /**
     * Frees the chunk after IO {@code gen}, before its response leaves, so that no request finds it busy. A request
     * that waited for the chunk gets it instead, and is returned for its path to start. Nothing happens when the
     * chunk went to a later IO meanwhile.
     */
    Waiting free(int gen) {
        long w = word.get();
        if (generation(w) != gen) {
            return null;
        }
        if (state(w) == RESPONDED && (w & WAITING) == 0 && word.compareAndSet(w, word(gen, FREE))) {
            return null;
        }
        return freeToWaiting(gen);
    }

    private synchronized Waiting freeToWaiting(int gen) {
        for (; ; ) {
            long w = settled();
            if (generation(w) != gen) {
                return null;
            }
            if (word.compareAndSet(w, word(gen, CLAIMING))) {
                return handOver(gen);
            }
        }
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
        for (; ; ) {
            long w = settled();
            int st = state(w);
            if (path != closing || st == FREE || st == HANDLED) {
                return null;
            }
            if (word.compareAndSet(w, word(generation(w), CLAIMING))) {
                released[0] = true;
                return handOver(generation(w));
            }
        }
    }

    // this held, the word CLAIMING by this thread
    private Waiting handOver(int gen) {
        Waiting next = waiting;
        waiting = null;
        if (next != null && !next.path().isClosed()) {
            take(next.path(), next.connection(), gen);
            return next;
        }
        path = null;
        word.set(word(gen, FREE));
        return null;
    }

    /** True while an IO of {@code p}'s holds the chunk, and with it {@code p}'s memory. */
    synchronized boolean isHeldBy(ServerPath p) {
        long w = settled();
        return path == p && state(w) != FREE;
    }

    /** The request the handler gets for the current IO. */
    ServerRequest request() {
        return new Request(this, generation());
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
