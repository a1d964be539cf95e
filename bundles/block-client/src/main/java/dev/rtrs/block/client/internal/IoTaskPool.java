package dev.rtrs.block.client.internal;

import java.nio.ByteBuffer;

/**
 * The idle device IO tasks of a session, reused by its devices' next IOs so that steady IO allocates no task.
 * Holds at most {@code capacity} tasks, the session's queue depth: no more IOs are in flight at once. It never
 * makes a submitter wait: when every task is busy (IO queued beyond the permits) a new task is made, and a task
 * given back to a full pool is left to the garbage collector.
 *
 * <p>A task is given back once its completion was delivered to it (see {@link IoTask#complete}), never while its
 * IO is in flight or queued for a retry; giving one back twice is a bug and throws. Thread-safe: called by
 * submitting and completing threads, under the pool's lock for a few array slots.
 */
final class IoTaskPool {

    private final SessionHandle session;
    /** Idle tasks, the last given back on top. */
    private final IoTask[] idle;

    private int size;

    IoTaskPool(SessionHandle session, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a pool of " + capacity + " tasks");
        }
        this.session = session;
        this.idle = new IoTask[capacity];
    }

    /**
     * An idle task, or a new one when none is idle. Non-blocking.
     *
     * @param data for a piece that sends a view of this buffer: a task with such a view is taken if one is idle;
     *             else the oldest idle task, whose view is the least likely to be wanted again soon. Null: the
     *             last one given back.
     */
    IoTask acquire(ByteBuffer data) {
        synchronized (this) {
            if (size > 0) {
                int at = data == null ? size - 1 : withViewOf(data);
                IoTask t = idle[at];
                // keeps the others in the order they came back (a copy only below the top, for a view)
                System.arraycopy(idle, at + 1, idle, at, size - 1 - at);
                idle[--size] = null;
                t.idle = false;
                return t;
            }
        }
        return new IoTask(session, this);
    }

    private int withViewOf(ByteBuffer data) {
        for (int i = size - 1; i >= 0; i--) {
            if (idle[i].hasViewOf(data)) {
                return i;
            }
        }
        return 0;
    }

    /** Takes a task back whose completion was delivered; drops it when the pool is full. */
    void release(IoTask task) {
        synchronized (this) {
            if (task.idle) {
                throw new IllegalStateException("IO task given back twice");
            }
            task.idle = true;
            if (size < idle.length) {
                idle[size++] = task;
            }
        }
    }

    /** Idle tasks held now. */
    synchronized int idleCount() {
        return size;
    }

    int capacity() {
        return idle.length;
    }
}
