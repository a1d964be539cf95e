package dev.rtrs.block.client.internal;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.protocol.IoOperation;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdIo;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.IoCallback;
import dev.rtrs.transport.Permit;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One RTRS request of the RNBD client: an RNBD message as user header, data buffers, and what to do with the
 * errno. Retried after a reconnect while its deadline allows. It is its own transport callback.
 *
 * <p>A control message is made for its one request. A device IO is one piece of a device's request (a request
 * larger than the largest IO is sent in pieces); its task comes from the session's {@link IoTaskPool} and goes
 * back there once its completion has been delivered to it, so that steady IO allocates nothing: the header is
 * encoded into the task's own buffer, the data list and the view of the caller's buffer are the task's too, and
 * the first piece of a request (its head) counts the request's pieces and holds its completion.
 *
 * <p>The fields of a device IO are written by the submitting thread before the task is handed to the session, and
 * read afterwards by whichever thread sends or completes it: the session's lock, the transport's submission and the
 * pool's compare-and-sets order these.
 */
final class IoTask implements IoCallback {

    /** What a control message's completion reports to. */
    @FunctionalInterface
    interface Done {
        void complete(int errno);
    }

    /** The {@link #slot} of a task that has none in its pool. */
    static final int NO_SLOT = -1;

    private static final ByteBuffer[] NO_DATA = new ByteBuffer[0];

    private final SessionHandle session;
    /** Where a device IO's task goes back to; null for a control message. */
    private final IoTaskPool pool;
    /** Control messages go first and are sent while the link is being re-established. */
    final boolean control;
    /** A control message's own bytes, or the RNBD IO that {@link #header()} encodes into it. */
    private final ByteBuffer header;

    private final Done controlDone;

    Direction direction;
    ByteBuffer[] data;
    /** Retries stop at this System.nanoTime(). */
    long deadline;
    /** The permit of the IO in flight: set when the session sends it, read when it completes. */
    Permit permit;

    // ---- a device IO: one piece of a device's request ----

    /** The device, whose current id goes into the header at each (re)submission: a remap may change it. */
    private MappedDevice device;

    private IoOperation operation;
    private int flags;
    private long sector;
    private long length;
    /** System.nanoTime() of the request's submission, from which the latency of each piece is measured. */
    private long submitted;
    /** The first piece of the request, which holds its completion; this task itself for the first piece. */
    private IoTask head;
    /** The one-element data list of a piece with data. */
    private final ByteBuffer[] single = new ByteBuffer[1];
    /**
     * A view of {@link #viewOf}, kept across uses so that a caller sending the same buffer again reuses it (this keeps
     * that buffer reachable while the task is idle: a session holds at most queue depth idle tasks).
     */
    private ByteBuffer view;

    private ByteBuffer viewOf;

    // ---- the request, in its head ----

    private BlockCompletion requestDone;
    private final AtomicInteger piecesLeft = new AtomicInteger();
    private final AtomicInteger firstError = new AtomicInteger();

    /** The task's place in its pool, or {@link #NO_SLOT} (a control message, a task made beyond the pool's size). */
    final int slot;
    /** A task without a slot was given back (and left to the garbage collector). */
    boolean dropped;

    /** A control message; {@code header} holds it from position 0 to its limit. */
    IoTask(SessionHandle session, Direction direction, ByteBuffer header, ByteBuffer[] data, Done done, long deadline) {
        this.session = session;
        this.pool = null;
        this.slot = NO_SLOT;
        this.control = true;
        this.header = header;
        this.controlDone = done;
        this.direction = direction;
        this.data = data;
        this.deadline = deadline;
    }

    /** A device IO task of {@code pool} in {@code slot}, idle until {@link #startRequest} or {@link #joinRequest}. */
    IoTask(SessionHandle session, IoTaskPool pool, int slot) {
        this.session = session;
        this.pool = pool;
        this.slot = slot;
        this.control = false;
        this.header = ByteBuffer.allocate(RnbdIo.SIZE);
        this.controlDone = null;
    }

    /**
     * Makes this task the first piece of a device's request of {@code pieces} pieces, whose completion goes to
     * {@code done} once every piece completed, with the first error of any.
     */
    IoTask startRequest(MappedDevice device, IoOperation op, int flags, int pieces, BlockCompletion done) {
        this.device = device;
        this.operation = op;
        this.flags = flags;
        this.direction = op == IoOperation.READ ? Direction.READ : Direction.WRITE;
        this.submitted = System.nanoTime();
        this.deadline = submitted + device.ioTimeoutNanos();
        this.head = this;
        this.requestDone = done;
        piecesLeft.set(pieces);
        firstError.set(0);
        return this;
    }

    /** Makes this task another piece of the request that {@code first} started. */
    IoTask joinRequest(IoTask first) {
        this.device = first.device;
        this.operation = first.operation;
        this.flags = first.flags;
        this.direction = first.direction;
        this.submitted = first.submitted;
        this.deadline = first.deadline;
        this.head = first;
        return this;
    }

    /** The piece's range on the device, without data. */
    IoTask range(long offset, long length) {
        this.sector = offset >>> RnbdCodec.SECTOR_SHIFT;
        this.length = length;
        this.data = NO_DATA;
        return this;
    }

    /**
     * The piece's range on the device, and its data: {@code length} bytes of {@code buffer} from index {@code from}.
     * A piece that is all of the buffer's remaining bytes sends the buffer itself, as the transport reads data
     * from its position to its limit and leaves both alone; another sends a view of it.
     */
    IoTask range(long offset, long length, ByteBuffer buffer, int from) {
        range(offset, length);
        if (from == buffer.position() && length == buffer.remaining()) {
            single[0] = buffer;
        } else {
            if (viewOf != buffer) {
                view = buffer.duplicate();
                viewOf = buffer;
            }
            single[0] = view.limit(from + (int) length).position(from);
        }
        data = single;
        return this;
    }

    /** This idle task has a view of {@code buffer} (asked by the pool: a hint, the task may be taken meanwhile). */
    boolean hasViewOf(ByteBuffer buffer) {
        return viewOf == buffer;
    }

    /** The user header to send now. */
    ByteBuffer header() {
        if (!control) {
            RnbdCodec.encodeIo(device.deviceId(), sector, operation, flags, length, header, 0);
        }
        return header.position(0);
    }

    /** The transport's callback, on a transport thread: the session gives the permit back and retries or ends. */
    @Override
    public void onComplete(int errno) {
        session.completed(this, errno);
    }

    /**
     * Completes the task once, whichever way it ends (answered, failed, expired, shut down): the one place where a
     * device's IO is counted and its latency taken.
     */
    void complete(int errno) {
        if (control) {
            controlDone.complete(errno);
            return;
        }
        device.completed(operation, errno, System.nanoTime() - submitted);
        IoTask first = head;
        if (first != this) {
            release();
        }
        first.pieceCompleted(errno);
    }

    private void pieceCompleted(int errno) {
        if (errno != 0) {
            firstError.compareAndSet(0, errno);
        }
        if (piecesLeft.decrementAndGet() == 0) {
            BlockCompletion done = requestDone;
            int error = firstError.get();
            // back to the pool first: a caller that submits its next IO from the completion gets this task again
            release();
            done.complete(error);
        }
    }

    /** Back to the pool; nothing of this task may be read after this. */
    private void release() {
        device = null;
        head = null;
        requestDone = null;
        permit = null;
        single[0] = null;
        data = NO_DATA;
        pool.release(this);
    }
}
