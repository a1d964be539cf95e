package dev.rtrs.block.client.internal.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes the replies of one connection on the thread that completes them, with no hand-off and no lock: a
 * "serial drain". A completed request is pushed onto a lock-free stack; then whichever thread wins the
 * {@code draining} flag writes every queued reply, several per gathering write, while the losers return at once
 * (the winner sees their requests: it checks the stack again after giving up the flag). So replies of one
 * connection never interleave, and no completion thread waits for another.
 *
 * <p>The socket is non-blocking, so a client that stops reading cannot stall the transport's threads: when the
 * socket is full the rest stays queued here and the connection's reader thread finishes the drain once the
 * socket has room ({@link NbdSocket#wantWritable}). After a write fails, replies are dropped.
 */
final class NbdReplies {

    /** Replies per gathering write. */
    private static final int BATCH = 16;

    private final NbdSocket socket;
    private NbdBufferPool pool;
    private final AtomicReference<NbdRequest> completed = new AtomicReference<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean blocked;
    private volatile boolean broken;

    // owned by the thread that holds the draining flag
    private NbdRequest head;
    private NbdRequest tail;
    private final ByteBuffer[] iov = new ByteBuffer[2 * BATCH];

    NbdReplies(NbdSocket socket) {
        this.socket = socket;
        socket.onWritable(this::drain);
    }

    /** Where written requests go back to; set once, before the first request. */
    void pool(NbdBufferPool pool) {
        this.pool = pool;
    }

    /** Any thread: queues {@code r}'s reply and writes what the socket takes. Never blocks. */
    void complete(NbdRequest r) {
        NbdRequest top;
        do {
            top = completed.get();
            r.next = top;
        } while (!completed.compareAndSet(top, r));
        drain();
    }

    /** Any thread: writes queued replies unless another thread is at it. */
    void drain() {
        while (draining.compareAndSet(false, true)) {
            try {
                writeQueued();
            } finally {
                draining.set(false);
            }
            // a request pushed while we held the flag: its thread lost the flag and left it to us
            if (completed.get() == null || blocked) {
                return;
            }
        }
    }

    /** The connection is closed: what is queued and what completes later is dropped. */
    void drop() {
        broken = true;
        drain();
    }

    private void writeQueued() {
        while (true) {
            takeCompleted();
            if (head == null) {
                break;
            }
            if (broken) {
                releaseWritten(true);
                continue;
            }
            int n = 0;
            for (NbdRequest r = head; r != null && n <= iov.length - 2; r = r.next) {
                iov[n++] = r.header;
                if (r.payload != null) {
                    iov[n++] = r.payload;
                }
            }
            boolean full;
            try {
                socket.channel.write(iov, 0, n);
                full = iov[n - 1].hasRemaining();
            } catch (IOException e) {
                broken = true;
                socket.close();
                full = false;
            }
            releaseWritten(broken);
            if (full) {
                if (!blocked) {
                    blocked = true;
                    socket.wantWritable(true);
                }
                return;
            }
        }
        if (blocked) {
            blocked = false;
            socket.wantWritable(false);
        }
    }

    /** Moves the completed stack, oldest first, to the end of the backlog. */
    private void takeCompleted() {
        NbdRequest r = completed.getAndSet(null);
        NbdRequest reversed = null;
        NbdRequest last = r;
        while (r != null) {
            NbdRequest next = r.next;
            r.next = reversed;
            reversed = r;
            r = next;
        }
        if (reversed == null) {
            return;
        }
        if (tail == null) {
            head = reversed;
        } else {
            tail.next = reversed;
        }
        tail = last;
    }

    /** Returns the fully written requests at the head of the backlog (all of them if {@code all}) to the pool. */
    private void releaseWritten(boolean all) {
        while (head != null && (all || head.written())) {
            NbdRequest r = head;
            head = r.next;
            pool.release(r);
        }
        if (head == null) {
            tail = null;
        }
    }
}
