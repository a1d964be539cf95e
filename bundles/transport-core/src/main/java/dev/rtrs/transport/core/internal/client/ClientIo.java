package dev.rtrs.transport.core.internal.client;

import dev.rtrs.transport.Direction;
import dev.rtrs.transport.IoCallback;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.core.internal.conn.WrIds;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.ReadMsg;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.RtrsProtocol;
import dev.rtrs.transport.core.internal.wire.WriteMsg;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A permit and the IO it carries. The permit's id is the server chunk it writes into; its buffer (one chunk long,
 * a view of the session's {@link PermitMemory}) holds what goes to the chunk and, for a READ, receives the data.
 *
 * <p>Layout, the kernel's, the same in the buffer and in the server chunk it is written to: a WRITE is data, user
 * header, WRITE message, from offset 0; a READ puts user header and READ message at offset {@code data_len}, where
 * the data the server sends back ends, so the two never overlap, neither here nor in the chunk (where the server's
 * backend writes the data while the request may still be there).
 *
 * <p>States: FREE (in the pool), HELD (the caller has it), IN_FLIGHT (an IO is out), INVALIDATING (a fenced READ
 * was answered and waits for the client's LOCAL_INV of its key, see {@link ReadFence}). Completion and fail-over race
 * for the same IO; the state machine lets exactly one of them finish it. The IO's fields are
 * written by the submitting thread before the IO is posted, and read after that by the completion thread or the
 * session's executor.
 */
final class ClientIo implements Permit {

    private static final int FREE = 0;
    private static final int HELD = 1;
    private static final int IN_FLIGHT = 2;
    private static final int INVALIDATING = 3;

    private final int id;
    private final ByteBuffer userArea;
    private final AtomicInteger state = new AtomicInteger(FREE);
    private final SendWorkRequest wr = new SendWorkRequest(1);
    /** Offset of this permit's buffer in the session's permit memory. */
    private final int base;
    /** This permit's buffer: position 0, limit = chunk size. */
    private final ByteBuffer buffer;

    // the IO in flight
    private Direction direction;
    private ByteBuffer[] data;
    private IoCallback callback;
    private int dataLength;
    private int headerLength;
    /** Where the request (data + header + message for WRITE, header + message for READ) starts in the buffer. */
    private int requestStart;

    private int requestLength;
    /** Offset of the RTRS message in the buffer and in the server chunk. */
    private int messageOffset;
    /** The path carrying the IO. */
    private volatile ClientPath path;
    /** The READ names a fast-registered region of its path that must be invalidated before the IO completes. */
    private boolean fenced;
    /** The response's errno while the IO waits for its LOCAL_INV. */
    private int heldErrno;

    ClientIo(int id, int userAreaSize, int base, ByteBuffer buffer) {
        this.id = id;
        this.userArea = ByteBuffer.allocate(userAreaSize);
        this.base = base;
        this.buffer = buffer;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public ByteBuffer userArea() {
        return userArea;
    }

    // ---- permit states ----

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

    /** Ends the IO on its response; false when someone else ended it first, or it waits for its LOCAL_INV. */
    boolean finishIo() {
        return state.compareAndSet(IN_FLIGHT, HELD);
    }

    /** The response came but the READ's key must be invalidated first: holds {@code errno} until then. */
    boolean startInvalidate(int errno) {
        if (!state.compareAndSet(IN_FLIGHT, INVALIDATING)) {
            return false;
        }
        // read after the LOCAL_INV completes, which the caller posts after this
        heldErrno = errno;
        return true;
    }

    /** Ends the IO once its LOCAL_INV completed; false when fail-over took it first. */
    boolean finishInvalidated() {
        return state.compareAndSet(INVALIDATING, HELD);
    }

    int heldErrno() {
        return heldErrno;
    }

    /** Fail-over takes the IO, whether it waits for a response or for its LOCAL_INV; false when it has ended. */
    boolean resumeAfterFailure() {
        return state.compareAndSet(INVALIDATING, IN_FLIGHT) || state.get() == IN_FLIGHT;
    }

    /** Ends the IO whatever it waits for (the session is closing and its paths are gone). */
    boolean abort() {
        return finishIo() || finishInvalidated();
    }

    boolean isInFlight() {
        int s = state.get();
        return s == IN_FLIGHT || s == INVALIDATING;
    }

    boolean fenced() {
        return fenced;
    }

    // ---- the request ----

    /**
     * Lays the IO out in the permit's buffer. The caller checked the sizes against the session's limits.
     *
     * @param total bytes of {@code data}
     */
    void layOut(Direction dir, ByteBuffer userHeader, ByteBuffer[] buffers, int total, IoCallback cb) {
        direction = dir;
        data = buffers;
        callback = cb;
        dataLength = total;
        headerLength = userHeader.remaining();
        path = null;
        if (dir == Direction.WRITE) {
            int at = 0;
            for (ByteBuffer b : buffers) {
                buffer.put(at, b, b.position(), b.remaining());
                at += b.remaining();
            }
            buffer.put(at, userHeader, userHeader.position(), headerLength);
            requestStart = 0;
            messageOffset = at + headerLength;
            RtrsCodec.putWriteMsg(buffer, messageOffset, headerLength);
            requestLength = messageOffset + WriteMsg.SIZE;
        } else {
            requestLength = headerLength + ReadMsg.size(total == 0 ? 0 : 1);
            requestStart = total;
            messageOffset = total + headerLength;
            buffer.put(requestStart, userHeader, userHeader.position(), headerLength);
        }
    }

    /**
     * The RDMA write with immediate data that puts this IO into its server chunk through one path's registration
     * of the permit memory. A READ's message names where the data lands, which differs per path: the permit's
     * fast-registered {@code readRegion} with its fresh key and NEED_INVAL, or without one (no fast registration, or
     * no data) the permit memory's own registration.
     */
    SendWorkRequest request(
            MemoryRegion permitRegion, MemoryRegion readRegion, long chunkAddress, int chunkKey, int memBits) {
        fenced = false;
        if (direction == Direction.READ) {
            fenced = readRegion != null && dataLength > 0;
            RtrsCodec.putReadMsg(
                    buffer,
                    messageOffset,
                    headerLength,
                    fenced ? RtrsProtocol.FLAG_NEED_INVAL : 0,
                    fenced ? readRegion.address() : permitRegion.address() + base,
                    fenced ? readRegion.rkey() : permitRegion.rkey(),
                    dataLength);
        }
        return wr.reset(WrIds.of(WrIds.IO_REQUEST, id), SendOpcode.RDMA_WRITE_WITH_IMM)
                .addSge(permitRegion, base + requestStart, requestLength)
                .remote(chunkAddress + requestStart, chunkKey)
                .immediate(Imm.ioRequest(id, messageOffset, memBits));
    }

    /** Copies a READ's data from the permit's buffer into the caller's buffers. */
    void scatterReadData() {
        int offset = 0;
        for (ByteBuffer b : data) {
            int n = b.remaining();
            b.put(b.position(), buffer, offset, n);
            offset += n;
        }
    }

    Direction direction() {
        return direction;
    }

    int dataLength() {
        return dataLength;
    }

    IoCallback callback() {
        return callback;
    }

    ClientPath path() {
        return path;
    }

    void path(ClientPath value) {
        path = value;
    }

    @Override
    public String toString() {
        return "permit " + id;
    }
}
