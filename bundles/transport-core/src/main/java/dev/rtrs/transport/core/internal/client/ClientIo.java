package dev.rtrs.transport.core.internal.client;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import dev.rtrs.transport.Direction;
import dev.rtrs.transport.IoCallback;
import dev.rtrs.transport.Permit;
import dev.rtrs.verbs.SendWorkRequest;

/**
 * A permit and the IO it carries. The permit's id is the server chunk it writes into; its registered
 * buffer (one chunk long) holds what goes to the chunk and, for a READ, receives the data.
 *
 * <p>States: FREE (in the pool), HELD (the caller has it), IN_FLIGHT (an IO is out). Completion and
 * fail-over race for the same IO; the state machine lets exactly one of them finish it.
 */
final class ClientIo implements Permit {

    static final int FREE = 0;
    static final int HELD = 1;
    static final int IN_FLIGHT = 2;

    private final int id;
    private final ByteBuffer userArea;
    private final AtomicInteger state = new AtomicInteger(FREE);
    final SendWorkRequest wr = new SendWorkRequest(1);

    /** Offset of this permit's buffer in the session's permit memory. */
    int base;
    /** This permit's buffer: a view of the session's permit memory, position 0, limit = chunk size. */
    ByteBuffer buffer;

    // the IO in flight
    Direction direction;
    ByteBuffer[] data;
    IoCallback callback;
    volatile ClientPath path;
    int dataLength;
    int headerLength;
    /** Where the request (data + header + message for WRITE, header + message for READ) starts in the buffer. */
    int requestStart;
    int requestLength;
    /** Offset of the RTRS message inside the server chunk. */
    int messageOffset;

    ClientIo(int id, int userAreaSize) {
        this.id = id;
        this.userArea = ByteBuffer.allocate(userAreaSize);
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public ByteBuffer userArea() {
        return userArea;
    }

    void markAcquired() {
        state.set(HELD);
    }

    /** Back to the pool; false when the permit is not held or still has an IO out. */
    boolean markReleased() {
        return state.compareAndSet(HELD, FREE);
    }

    boolean startIo() {
        return state.compareAndSet(HELD, IN_FLIGHT);
    }

    /** Ends the IO; false when someone else ended it first. */
    boolean finishIo() {
        return state.compareAndSet(IN_FLIGHT, HELD);
    }

    boolean isInFlight() {
        return state.get() == IN_FLIGHT;
    }

    @Override
    public String toString() {
        return "permit " + id;
    }
}
