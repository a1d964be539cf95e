package dev.rtrs.transport.core.internal.client;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.TransportException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The permits of a session: one per server chunk. Waiting callers are served strictly in arrival order:
 * each waits on its own condition in a FIFO, only the head may take a free permit, and nobody takes one
 * past a waiting caller.
 */
final class PermitPool {

    private final ClientIo[] permits;
    private final int[] free;
    private int freeCount;
    private boolean closed;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Condition> waiters = new ArrayDeque<>();

    PermitPool(ClientIo[] permits) {
        this.permits = permits;
        this.free = new int[permits.length];
        for (int i = 0; i < permits.length; i++) {
            free[i] = permits.length - 1 - i;
        }
        this.freeCount = permits.length;
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
        lock.lockInterruptibly();
        try {
            checkOpen();
            if (waiters.isEmpty() && freeCount > 0) {
                return take();
            }
            Condition me = lock.newCondition();
            waiters.addLast(me);
            boolean served = false;
            try {
                long left = timeoutNanos;
                while (waiters.peekFirst() != me || freeCount == 0) {
                    checkOpen();
                    if (timeoutNanos < 0) {
                        me.await();
                    } else {
                        if (left <= 0) {
                            return null;
                        }
                        left = me.awaitNanos(left);
                    }
                }
                checkOpen();
                served = true;
                return take();
            } finally {
                waiters.remove(me);
                if (served || !waiters.isEmpty()) {
                    signalHead();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    ClientIo tryAcquire() throws TransportException {
        lock.lock();
        try {
            checkOpen();
            return waiters.isEmpty() && freeCount > 0 ? take() : null;
        } finally {
            lock.unlock();
        }
    }

    void release(ClientIo io) {
        lock.lock();
        try {
            free[freeCount++] = io.id();
            signalHead();
        } finally {
            lock.unlock();
        }
    }

    /** Fails every waiter and every later acquire with ESHUTDOWN. */
    void close() {
        lock.lock();
        try {
            closed = true;
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
        if (head != null && freeCount > 0) {
            head.signal();
        }
    }

    // lock held
    private ClientIo take() {
        ClientIo io = permits[free[--freeCount]];
        io.markAcquired();
        return io;
    }

    private void checkOpen() throws TransportException {
        if (closed) {
            throw new TransportException(Errno.ESHUTDOWN, "session is closed");
        }
    }
}
