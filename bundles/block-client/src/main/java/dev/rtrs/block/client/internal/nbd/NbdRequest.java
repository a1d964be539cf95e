package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockStatusReceiver;
import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One request slot of a connection, reused for request after request: it is the device's completion and block
 * status receiver (so a request allocates no lambda), and it carries its reply header and its pooled data buffer.
 * Each reply is one simple reply or one reply chunk with the DONE flag ({@link #finish}).
 *
 * <p>Ownership moves with the slot: the reader fills it and submits it, the device owns it until its completion,
 * {@link NbdReplies} until the reply is written, then {@link NbdBufferPool} until the reader takes it again. Each
 * hand-over is an atomic operation (the device's own, a CAS on a stack), which publishes the plain fields.
 */
final class NbdRequest implements BlockStatusReceiver {

    /** Largest reply header with its fixed payload: an extended chunk header and an ERROR_OFFSET's 14 bytes. */
    static final int HEADER_CAPACITY = 48;
    /** Descriptors of one block status reply at the most; a client asks again from where the reply ended. */
    static final int MAX_EXTENTS = 16 * 1024;
    /** Largest write the gateway issues when it zeroes for a device that cannot. */
    static final int ZERO_WRITE = 1 << 20;

    /** Source of the zeroes written for a device that cannot zero by itself; never written, read absolutely. */
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(64 * 1024);

    private final NbdReplies replies;
    /** The reply header, followed by the fixed part of a chunk's payload. */
    final ByteBuffer header = ByteBuffer.allocateDirect(HEADER_CAPACITY);
    /** Pooled data buffer kept by the slot until the pool takes it back; null when none. */
    ByteBuffer buffer;
    /** What follows the header in the reply: READ data or block status descriptors, else null. */
    ByteBuffer payload;
    /** Link in whichever list holds the slot: the free list, the completed stack, the reply backlog. */
    NbdRequest next;

    private BlockDevice device;
    private NbdHeaderMode mode;
    private int type;
    private long cookie;
    private long offset;
    private long length;
    private boolean flushAfter;
    /** The device failed the request (rather than the gateway refusing it): its error carries the offset. */
    private boolean deviceFailed;

    // block status: descriptors written into the buffer as extents arrive
    private int maxExtents;
    private int extents;
    private int lastState;
    private long lastLength;
    private long statusLeft;

    // write-zeroes by writes: one write at a time, looped by whichever thread sees the previous one complete
    private final AtomicInteger zeroSteps = new AtomicInteger();
    private boolean zeroing;
    private long zeroAt;
    private long zeroLeft;
    private int zeroErrno;

    NbdRequest(NbdReplies replies) {
        this.replies = replies;
    }

    /** Reader thread: prepares the slot for a request. */
    void start(NbdTransmission transmission, int type, long cookie, long offset, long length) {
        this.device = transmission.device();
        this.mode = transmission.mode();
        this.type = type;
        this.cookie = cookie;
        this.offset = offset;
        this.length = length;
        this.flushAfter = false;
        this.deviceFailed = false;
        this.zeroing = false;
        this.payload = null;
    }

    /** A successful completion is followed by a flush before the reply: FUA on TRIM and WRITE_ZEROES. */
    void flushAfter() {
        flushAfter = true;
    }

    /**
     * Reader thread: block status extents go into {@link #buffer} as descriptors of the header mode, at most
     * {@code max} of them; extents with the same flags merge.
     */
    void receiveExtents(int max) {
        maxExtents = max;
        extents = 0;
        statusLeft = length;
    }

    /** Bytes of one block status descriptor in {@code mode}. */
    static int descriptorBytes(NbdHeaderMode mode) {
        return mode == NbdHeaderMode.EXTENDED ? 16 : 8;
    }

    /**
     * Reader thread: zeroes the request's range with writes of {@link #buffer}, which it fills with zeroes, for a
     * device that cannot zero by itself.
     */
    void writeZeroesByWrites() {
        for (int at = 0; at < buffer.capacity(); at += ZEROES.capacity()) {
            buffer.put(at, ZEROES, 0, Math.min(ZEROES.capacity(), buffer.capacity() - at));
        }
        zeroing = true;
        zeroAt = offset;
        zeroLeft = length;
        zeroErrno = 0;
        zeroSteps.set(0);
        zeroStep();
    }

    @Override
    public boolean extent(long n, int flags) {
        long take = Math.min(n, statusLeft); // an extent past the range is cut at its end
        if (take <= 0) {
            return false;
        }
        int state = ((flags & HOLE) != 0 ? Nbd.STATE_HOLE : 0) | ((flags & ZERO) != 0 ? Nbd.STATE_ZERO : 0);
        int size = descriptorBytes(mode);
        if (extents > 0 && state == lastState) {
            lastLength += take;
        } else if (extents == maxExtents) {
            return false;
        } else {
            extents++;
            lastState = state;
            lastLength = take;
            if (mode == NbdHeaderMode.EXTENDED) {
                buffer.putLong((extents - 1) * size + 8, state);
            } else {
                buffer.putInt((extents - 1) * size + 4, state);
            }
        }
        // the length fits 32 bits in compact mode: the request's length did
        if (mode == NbdHeaderMode.EXTENDED) {
            buffer.putLong((extents - 1) * size, lastLength);
        } else {
            buffer.putInt((extents - 1) * size, (int) lastLength);
        }
        statusLeft -= take;
        return statusLeft > 0;
    }

    /** Device completion: any thread, possibly the reader's before the submission returned. */
    @Override
    public void complete(int errno) {
        if (zeroing) {
            if (errno != 0) {
                zeroErrno = errno; // one write at a time: no other thread writes it now
            }
            zeroStep();
            return;
        }
        if (flushAfter && errno == 0) {
            flushAfter = false;
            device.flush(this);
            return;
        }
        if (errno == 0 && type == Nbd.CMD_BLOCK_STATUS && extents == 0) {
            errno = Errno.EIO; // a device must report at least one extent
        }
        deviceFailed = errno != 0;
        finish(Nbd.error(errno));
    }

    /**
     * The next write of zeroes, or the end. The thread that moves {@link #zeroSteps} from 0 loops; a completion
     * that comes while it loops (inline, on a device that completes at once) only counts, so the stack never grows.
     */
    private void zeroStep() {
        if (zeroSteps.getAndIncrement() != 0) {
            return;
        }
        do {
            if (zeroErrno != 0 || zeroLeft == 0) {
                zeroing = false;
                complete(zeroErrno); // the reply: the slot may be the reader's again, so nothing after it
                return;
            }
            int n = (int) Math.min(zeroLeft, buffer.capacity());
            long at = zeroAt;
            zeroAt += n;
            zeroLeft -= n;
            device.write(at, buffer.clear().limit(n), 0, this);
        } while (zeroSteps.decrementAndGet() != 0);
    }

    /**
     * Queues the reply with the NBD error {@code error} (0 for success); the gateway's own answer when the
     * request never reaches the device.
     */
    void finish(int error) {
        ByteBuffer h = header.clear();
        ByteBuffer data = null;
        int n;
        if (!mode.chunked()) {
            n = NbdReplyHeaders.simple(h, error, cookie);
            if (error == 0 && type == Nbd.CMD_READ && length > 0) {
                data = buffer.position(0);
            }
        } else if (error != 0) {
            // ERROR_OFFSET for a device's failure of a ranged command: nothing from the offset on is known good
            boolean at = deviceFailed && type != Nbd.CMD_FLUSH;
            int fixed = at ? 14 : 6;
            int chunk = at ? Nbd.REPLY_TYPE_ERROR_OFFSET : Nbd.REPLY_TYPE_ERROR;
            n = NbdReplyHeaders.chunk(h, mode, Nbd.REPLY_FLAG_DONE, chunk, cookie, offset, fixed);
            h.putInt(n, error).putShort(n + 4, (short) 0); // no message
            if (at) {
                h.putLong(n + 6, offset);
            }
            n += fixed;
        } else if (type == Nbd.CMD_READ && length > 0) {
            if (allZeroes(buffer, (int) length)) {
                n = NbdReplyHeaders.chunk(h, mode, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_OFFSET_HOLE, cookie, offset, 12);
                h.putLong(n, offset).putInt(n + 8, (int) length);
                n += 12;
            } else {
                n = NbdReplyHeaders.chunk(
                        h, mode, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_OFFSET_DATA, cookie, offset, 8 + length);
                h.putLong(n, offset);
                n += 8;
                data = buffer.position(0);
            }
        } else if (type == Nbd.CMD_BLOCK_STATUS) {
            int bytes = extents * descriptorBytes(mode);
            if (mode == NbdHeaderMode.EXTENDED) {
                n = NbdReplyHeaders.chunk(
                        h, mode, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_BLOCK_STATUS_EXT, cookie, offset, 8L + bytes);
                h.putInt(n, Nbd.ALLOCATION_CONTEXT_ID).putInt(n + 4, extents);
                n += 8;
            } else {
                n = NbdReplyHeaders.chunk(
                        h, mode, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_BLOCK_STATUS, cookie, offset, 4L + bytes);
                h.putInt(n, Nbd.ALLOCATION_CONTEXT_ID);
                n += 4;
            }
            data = buffer.position(0).limit(bytes);
        } else {
            n = NbdReplyHeaders.chunk(h, mode, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_NONE, cookie, offset, 0);
        }
        h.limit(n);
        payload = data;
        device = null;
        replies.complete(this);
    }

    /**
     * Whether the read returned only zeroes: then one OFFSET_HOLE chunk replaces the data. A buffer of data
     * usually differs in its first bytes, so this costs little where it does not pay.
     */
    private static boolean allZeroes(ByteBuffer b, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    boolean written() {
        return !header.hasRemaining() && (payload == null || !payload.hasRemaining());
    }
}
