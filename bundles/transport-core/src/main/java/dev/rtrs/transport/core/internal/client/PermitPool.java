package dev.rtrs.transport.core.internal.client;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.TransportException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The permits of a session: one per server chunk. As the kernel's client, a bitmap says which are out: taking one
 * sets the first clear bit, giving it back clears it, both with one compare-and-set and no lock. The lock is only
 * for callers that must wait: they are served strictly in arrival order (each waits on its own condition in a FIFO,
 * only the head may take a free permit), and nobody takes one on the lock-free path while someone waits.
 *
 * <p>No wake-up is lost: a waiter announces itself ({@link #waiting}) before it looks at the bitmap, and a release
 * clears its bit before it looks at {@link #waiting}, so at least one of them sees the other.
 */
final class PermitPool {

    private final ClientIo[] permits;
    /** One bit per permit, set while it is out; the bits past the last permit stay set. */
    private final AtomicLongArray taken;

    private final ReentrantLock lock = new ReentrantLock();
    /** The waiting callers' conditions, first in line first; guarded by lock. */
    private final ArrayDeque<Condition> waiters = new ArrayDeque<>();
    /** How many wait; written under lock, read by the lock-free paths. */
    private volatile int waiting;

    private volatile boolean closed;

    PermitPool(ClientIo[] permits) {
        this.permits = permits;
        int words = (permits.length + 63) / 64;
        this.taken = new AtomicLongArray(Math.max(1, words));
        int tail = permits.length % 64;
        if (tail != 0) {
            taken.set(words - 1, -1L << tail);
        }
    }

    int size() {
        return permits.length;
    }

    /**
     * Takes a permit, waiting in line.
     *
     * @param timeoutNanos negative to wait without limit
     * @return the permit, or {@code null} when the time ran out
     */
    ClientIo acquire(long timeoutNanos) throws InterruptedException, TransportException {
        checkOpen();
        if (waiting == 0) {
            ClientIo io = take();
            if (io != null) {
                return io;
            }
        }
        lock.lockInterruptibly();
        try {
            Condition me = lock.newCondition();
            waiters.addLast(me);
            waiting = waiters.size();
            try {
                long left = timeoutNanos;
                while (true) {
                    checkOpen();
                    if (waiters.peekFirst() == me) {
                        ClientIo io = take();
                        if (io != null) {
                            return io;
                        }
                    }
                    if (timeoutNanos < 0) {
                        me.await();
                    } else {
                        if (left <= 0) {
                            return null;
                        }
                        left = me.awaitNanos(left);
                    }
                }
            } finally {
                waiters.remove(me);
                waiting = waiters.size();
                // the next in line looks again: a permit may be free, or have been given back meanwhile
                signalHead();
            }
        } finally {
            lock.unlock();
        }
    }

    ClientIo tryAcquire() throws TransportException {
        checkOpen();
        return waiting == 0 ? take() : null;
    }

    void release(ClientIo io) {
        int id = io.id();
        long bit = 1L << id;
        int word = id >>> 6;
        long w;
        do {
            w = taken.get(word);
        } while (!taken.compareAndSet(word, w, w & ~bit));
        if (waiting > 0) {
            lock.lock();
            try {
                signalHead();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Fails every waiter and every later acquire with ESHUTDOWN. */
    void close() {
        closed = true;
        lock.lock();
        try {
            for (Condition c : waiters) {
                c.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    // lock held
    private void signalHead() {
        Condition head = waiters.peekFirst();
        if (head != null) {
            head.signal();
        }
    }

    /** Sets the first clear bit and returns its permit; null when all are out. Lock-free. */
    private ClientIo take() {
        for (int word = 0; word < taken.length(); word++) {
            long w = taken.get(word);
            while (w != -1L) {
                int bit = Long.numberOfTrailingZeros(~w);
                if (taken.compareAndSet(word, w, w | 1L << bit)) {
                    ClientIo io = permits[word * 64 + bit];
                    io.markAcquired();
                    return io;
                }
                w = taken.get(word);
            }
        }
        return null;
    }

    private void checkOpen() throws TransportException {
        if (closed) {
            throw new TransportException(Errno.ESHUTDOWN, "session is closed");
        }
    }
}
