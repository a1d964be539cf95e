package dev.rtrs.block.client.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The idle device IO tasks of a session, reused by its devices' next IOs so that steady IO allocates no task.
 * Holds at most {@code capacity} tasks, the session's queue depth: no more IOs are in flight at once. It never
 * makes a submitter wait: when every task is busy (IO queued beyond the permits) a new task is made, and a task
 * made beyond the capacity is left to the garbage collector when given back.
 *
 * <p>Lock-free, as the transport's permits: each of the first {@code capacity} tasks made has a slot of its own,
 * and a bitmap says which slots' tasks are idle. Taking one clears its bit, giving it back sets it, one
 * compare-and-set each. The bit is the task's ownership, so a task is never handed out twice, and the two
 * compare-and-sets order the task's fields between the thread that gave it back and the one that takes it.
 *
 * <p>A task is given back once its completion was delivered to it (see {@link IoTask#complete}), never while its
 * IO is in flight or queued for a retry; giving one back twice is a bug and throws. Thread-safe: called by
 * submitting and completing threads.
 */
final class IoTaskPool {

    private final SessionHandle session;
    /** The task of each slot once made; a slot keeps its task for the pool's life. */
    private final IoTask[] tasks;
    /** One bit per slot, set while its task is idle. */
    private final AtomicLongArray idle;
    /** How many slots have a task. */
    private final AtomicInteger made = new AtomicInteger();

    IoTaskPool(SessionHandle session, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a pool of " + capacity + " tasks");
        }
        this.session = session;
        this.tasks = new IoTask[capacity];
        this.idle = new AtomicLongArray((capacity + 63) / 64);
    }

    /**
     * An idle task, or a new one when none is idle. Non-blocking.
     *
     * @param data for a piece that sends a view of this buffer: a task with such a view is taken if one is idle;
     *             else the idle task of the highest slot, the least used, whose view is the least likely to be
     *             wanted again soon. Null: that of the lowest slot, so that steady IO keeps using the same few.
     */
    IoTask acquire(ByteBuffer data) {
        int slot = data == null ? takeEnd(true) : takeWithViewOf(data);
        if (slot >= 0) {
            return tasks[slot];
        }
        slot = made.get();
        while (slot < tasks.length && !made.compareAndSet(slot, slot + 1)) {
            slot = made.get();
        }
        return new IoTask(session, this, slot < tasks.length ? slot : IoTask.NO_SLOT);
    }

    private int takeWithViewOf(ByteBuffer data) {
        for (int word = 0; word < idle.length(); word++) {
            for (long w = idle.get(word); w != 0; w &= w - 1) {
                int slot = word * 64 + Long.numberOfTrailingZeros(w);
                // a hint only: the task may be taken meanwhile, then the bit is gone and the search goes on
                if (tasks[slot].hasViewOf(data) && take(slot)) {
                    return slot;
                }
            }
        }
        return takeEnd(false);
    }

    /** Clears the bit of {@code slot} if it is set: the caller owns the slot's task. */
    private boolean take(int slot) {
        int word = slot >>> 6;
        long bit = 1L << slot;
        for (long w = idle.get(word); (w & bit) != 0; w = idle.get(word)) {
            if (idle.compareAndSet(word, w, w & ~bit)) {
                return true;
            }
        }
        return false;
    }

    /** Takes the idle task of the lowest slot, or of the highest; -1 when none is idle. */
    private int takeEnd(boolean lowest) {
        int words = idle.length();
        for (int i = 0; i < words; i++) {
            int word = lowest ? i : words - 1 - i;
            long w = idle.get(word);
            while (w != 0) {
                int bit = lowest ? Long.numberOfTrailingZeros(w) : 63 - Long.numberOfLeadingZeros(w);
                if (idle.compareAndSet(word, w, w & ~(1L << bit))) {
                    return word * 64 + bit;
                }
                w = idle.get(word);
            }
        }
        return -1;
    }

    /** Takes a task back whose completion was delivered; drops a task made beyond the capacity. */
    void release(IoTask task) {
        int slot = task.slot;
        if (slot == IoTask.NO_SLOT) {
            if (task.dropped) {
                throw new IllegalStateException("IO task given back twice");
            }
            task.dropped = true;
            return;
        }
        // published to whoever takes it by the compare-and-set below
        tasks[slot] = task;
        int word = slot >>> 6;
        long bit = 1L << slot;
        long w;
        do {
            w = idle.get(word);
            if ((w & bit) != 0) {
                throw new IllegalStateException("IO task given back twice");
            }
        } while (!idle.compareAndSet(word, w, w | bit));
    }

    /** Idle tasks held now. */
    int idleCount() {
        int n = 0;
        for (int word = 0; word < idle.length(); word++) {
            n += Long.bitCount(idle.get(word));
        }
        return n;
    }

    int capacity() {
        return tasks.length;
    }
}
