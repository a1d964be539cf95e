package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import java.nio.ByteBuffer;

/**
 * One request slot of a connection, reused for request after request: it is the device's completion (so a
 * request allocates no lambda), and it carries its reply header and its pooled data buffer.
 *
 * <p>Ownership moves with the slot: the reader fills it and submits it, the device owns it until its completion,
 * {@link NbdReplies} until the reply is written, then {@link NbdBufferPool} until the reader takes it again. Each
 * hand-over is an atomic operation (the device's own, a CAS on a stack), which publishes the plain fields.
 */
final class NbdRequest implements BlockCompletion {

    private final NbdReplies replies;
    /** The simple reply header: magic, error, handle. */
    final ByteBuffer header = ByteBuffer.allocateDirect(16).putInt(0, Nbd.SIMPLE_REPLY_MAGIC);
    /** Pooled data buffer kept by the slot until the pool takes it back; null when none. */
    ByteBuffer buffer;
    /** What follows the header in the reply: the data of a successful READ, else null. */
    ByteBuffer payload;
    /** Link in whichever list holds the slot: the free list, the completed stack, the reply backlog. */
    NbdRequest next;

    private BlockDevice device;
    private boolean read;
    private boolean flushAfter;

    NbdRequest(NbdReplies replies) {
        this.replies = replies;
    }

    /** Reader thread: prepares the slot for the request {@code handle}. */
    void start(BlockDevice device, long handle) {
        this.device = device;
        this.read = false;
        this.flushAfter = false;
        this.payload = null;
        header.putLong(8, handle);
    }

    /** The reply carries {@link #buffer} when the request succeeds. */
    void replyWithData() {
        read = true;
    }

    /** A successful completion is followed by a flush before the reply (FUA on WRITE_ZEROES). */
    void flushAfter() {
        flushAfter = true;
    }

    /** Device completion: any thread, possibly the reader's before the submission returned. */
    @Override
    public void complete(int errno) {
        if (flushAfter && errno == 0) {
            flushAfter = false;
            device.flush(this);
            return;
        }
        finish(Nbd.error(errno));
    }

    /** Queues the reply with the NBD error {@code error} (0 for success). */
    void finish(int error) {
        header.putInt(4, error).clear();
        payload = read && error == 0 ? buffer.position(0) : null;
        device = null;
        replies.complete(this);
    }

    boolean written() {
        return !header.hasRemaining() && (payload == null || !payload.hasRemaining());
    }
}
