package dev.rtrs.verbs.disni.internal;

import dev.rtrs.verbs.SendOpcode;

/**
 * The outstanding work requests of one send or receive queue, oldest first: a bounded ring. It bounds posts to the
 * queue size the caller asked for (a NIC may give more), frees send-queue slots only from send completions
 * (a signaled success frees itself and the unsignaled requests before it), and remembers what each request was,
 * because a failed completion carries neither opcode nor length. Not thread-safe: the queue's lock guards it.
 */
final class WorkQueueTracker {

    private final long[] wrIds;
    private final SendOpcode[] opcodes;
    private final boolean[] signaled;
    private final long[] lengths;
    private int head;
    private int size;

    WorkQueueTracker(int capacity) {
        wrIds = new long[capacity];
        opcodes = new SendOpcode[capacity];
        signaled = new boolean[capacity];
        lengths = new long[capacity];
    }

    int capacity() {
        return wrIds.length;
    }

    int size() {
        return size;
    }

    int free() {
        return wrIds.length - size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Records a posted request; the caller has checked {@link #free()}. */
    void add(long wrId, SendOpcode opcode, boolean isSignaled, long length) {
        if (size == wrIds.length) {
            throw new IllegalStateException("queue of " + wrIds.length + " is full");
        }
        int i = (head + size) % wrIds.length;
        wrIds[i] = wrId;
        opcodes[i] = opcode;
        signaled[i] = isSignaled;
        lengths[i] = length;
        size++;
    }

    /** Forgets the {@code n} newest requests, whose post failed. */
    void removeNewest(int n) {
        size -= Math.min(n, size);
    }

    /** Whether the oldest outstanding request has this id. */
    boolean oldestIs(long wrId) {
        return size > 0 && wrIds[head] == wrId;
    }

    /**
     * A successful send completion: frees the requests up to and including the oldest signaled one and copies that
     * one into {@code out}. Returns false when nothing signaled was outstanding.
     */
    boolean completeSignaled(Completed out) {
        while (size > 0) {
            boolean wasSignaled = signaled[head];
            copyOldest(out);
            head = (head + 1) % wrIds.length;
            size--;
            if (wasSignaled) {
                return true;
            }
        }
        return false;
    }

    /**
     * A completion that stands for exactly one request: every receive, and a failed or flushed send (which
     * completes even when unsignaled). Frees the oldest request and copies it into {@code out}.
     */
    boolean completeOldest(Completed out) {
        if (size == 0) {
            return false;
        }
        copyOldest(out);
        head = (head + 1) % wrIds.length;
        size--;
        return true;
    }

    private void copyOldest(Completed out) {
        out.wrId = wrIds[head];
        out.opcode = opcodes[head];
        out.length = lengths[head];
    }

    /** What a completion freed; reused so that polling allocates nothing. */
    static final class Completed {
        long wrId;
        SendOpcode opcode;
        long length;
    }
}
