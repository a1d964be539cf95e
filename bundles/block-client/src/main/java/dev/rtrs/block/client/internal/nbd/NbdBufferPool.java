package dev.rtrs.block.client.internal.nbd;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The request slots and data buffers of one connection. Buffers are direct, in power-of-two size classes from
 * {@value #MIN_BUFFER} bytes to {@link Nbd#MAX_REQUEST}, allocated on first need and then reused; together they
 * never exceed the connection's budget. When a request finds no free slot, or its buffer would exceed the budget
 * even after dropping the free buffers of other sizes, the reader waits until replies are written: the
 * connection stops reading its socket, which pushes back on the client.
 *
 * <p>Everything here belongs to the reader thread except {@link #release}, which {@link NbdReplies} calls after a
 * reply was written: released slots go onto a lock-free stack the reader empties when it runs short (one
 * consumer, so the stack has no ABA problem).
 */
final class NbdBufferPool {

    static final int MIN_BUFFER = 4096;
    private static final int CLASSES = sizeClass(Nbd.MAX_REQUEST) + 1;

    private final NbdSocket socket;
    private final long budget;
    private final AtomicReference<NbdRequest> returned = new AtomicReference<>();
    private volatile boolean readerWaiting;

    // reader thread only
    private NbdRequest free;
    private int inUse;
    private final ByteBuffer[][] freeBuffers;
    private final int[] freeCount = new int[CLASSES];
    private volatile long allocated;

    /**
     * @param budget most bytes of data buffers; at least {@link Nbd#MAX_REQUEST} so that the largest request fits
     */
    NbdBufferPool(NbdSocket socket, NbdReplies replies, int slots, long budget) {
        if (budget < Nbd.MAX_REQUEST) {
            throw new IllegalArgumentException("buffer budget below the largest request: " + budget);
        }
        this.socket = socket;
        this.budget = budget;
        this.freeBuffers = new ByteBuffer[CLASSES][slots];
        for (int i = 0; i < slots; i++) {
            NbdRequest r = new NbdRequest(replies);
            r.next = free;
            free = r;
        }
    }

    static int sizeClass(int length) {
        return length <= MIN_BUFFER ? 0 : 32 - Integer.numberOfLeadingZeros(length - 1) - 12;
    }

    /** Reader thread: a free slot, waiting for one if every slot is in use. */
    NbdRequest takeSlot() throws IOException {
        while (free == null) {
            reclaim();
            if (free == null) {
                awaitRelease();
            }
        }
        NbdRequest r = free;
        free = r.next;
        r.next = null;
        inUse++;
        return r;
    }

    /**
     * Reader thread: gives {@code r} a buffer with position 0 and limit {@code length}, waiting while the budget
     * is used up by requests in flight.
     *
     * @return false when the JVM has no direct memory left for it (the request then fails with ENOMEM)
     */
    boolean takeBuffer(NbdRequest r, int length) throws IOException {
        int c = sizeClass(length);
        long capacity = (long) MIN_BUFFER << c;
        while (true) {
            if (freeCount[c] == 0) {
                reclaim();
            }
            if (freeCount[c] > 0) {
                ByteBuffer b = freeBuffers[c][--freeCount[c]];
                freeBuffers[c][freeCount[c]] = null;
                r.buffer = b.clear().limit(length);
                return true;
            }
            for (int k = CLASSES - 1; k >= 0 && allocated + capacity > budget; k--) {
                while (freeCount[k] > 0 && allocated + capacity > budget) {
                    allocated -= freeBuffers[k][--freeCount[k]].capacity();
                    freeBuffers[k][freeCount[k]] = null;
                }
            }
            if (allocated + capacity <= budget) {
                try {
                    r.buffer = ByteBuffer.allocateDirect((int) capacity).limit(length);
                } catch (OutOfMemoryError e) {
                    return false;
                }
                allocated += capacity;
                return true;
            }
            awaitRelease();
        }
    }

    /** Any thread, one at a time (the reply drainer): {@code r}'s reply is written, the slot is free again. */
    void release(NbdRequest r) {
        NbdRequest head;
        do {
            head = returned.get();
            r.next = head;
        } while (!returned.compareAndSet(head, r));
        if (readerWaiting) {
            socket.wakeup();
        }
    }

    /**
     * Reader thread: waits until every slot is free, that is every reply written.
     *
     * @return false if that took longer than {@code timeoutNanos}
     */
    boolean awaitIdle(long timeoutNanos) throws IOException {
        socket.deadline(timeoutNanos);
        try {
            while (inUse > 0) {
                reclaim();
                if (inUse > 0) {
                    awaitRelease();
                }
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            socket.deadline(-1);
        }
    }

    /** Bytes of data buffers allocated now (in use or free). */
    long allocated() {
        return allocated;
    }

    /** Moves the released slots to the free list and their buffers to the free buffers. */
    private void reclaim() {
        NbdRequest r = returned.getAndSet(null);
        while (r != null) {
            NbdRequest next = r.next;
            ByteBuffer b = r.buffer;
            if (b != null) {
                int c = sizeClass(b.capacity());
                freeBuffers[c][freeCount[c]++] = b;
                r.buffer = null;
                r.payload = null;
            }
            r.next = free;
            free = r;
            inUse--;
            r = next;
        }
    }

    private void awaitRelease() throws IOException {
        readerWaiting = true;
        try {
            // checked after announcing the wait: a release in between either is seen here or wakes the select
            if (returned.get() == null) {
                socket.await(false);
            }
        } finally {
            readerWaiting = false;
        }
    }
}
