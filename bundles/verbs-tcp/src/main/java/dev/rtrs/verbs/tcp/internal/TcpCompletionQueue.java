package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CompletionListener;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded completion queue: a lock-free ring with one sequence number per slot (multi-producer,
 * multi-consumer, no allocation). A producer never waits: a full ring is an overrun, after which polling
 * fails and the queue pairs using the queue move to the error state.
 *
 * <p>Notification: {@link #requestNotify()} arms; a producer that finds the queue armed queues the listener
 * on the queue's owner IO thread, which disarms and calls it once per cycle. Arming after completions were
 * queued fires at once, so "poll until empty, arm, poll again" loses no wake-up.
 */
final class TcpCompletionQueue implements CompletionQueue {

    private static final Logger LOG = LoggerFactory.getLogger(TcpCompletionQueue.class);
    private static final WcStatus[] STATUS = WcStatus.values();
    private static final WcOpcode[] OPCODE = WcOpcode.values();

    private final TcpDevice device;
    private final IoThread owner;
    private final CompletionListener listener;
    private final int capacity;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLongArray sequence;
    private final long[] wrId;
    private final byte[] status;
    private final byte[] opcode;
    private final int[] byteLength;
    private final int[] immediate;
    private final int[] invalidated;
    private final byte[] extras;
    private final TcpQueuePair[] queuePair;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicBoolean notificationHop = new AtomicBoolean();
    private final Runnable hop = this::hop;
    private final CopyOnWriteArrayList<TcpQueuePair> users = new CopyOnWriteArrayList<>();
    private volatile boolean overrun;
    private volatile boolean closed;
    /** Owner-thread flag: queued in {@link IoThread}'s notification list. */
    boolean notificationQueued;

    TcpCompletionQueue(TcpDevice device, IoThread owner, int capacity, CompletionListener listener) {
        this.device = device;
        this.owner = owner;
        this.listener = listener;
        this.capacity = capacity;
        sequence = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            sequence.set(i, i);
        }
        wrId = new long[capacity];
        status = new byte[capacity];
        opcode = new byte[capacity];
        byteLength = new int[capacity];
        immediate = new int[capacity];
        invalidated = new int[capacity];
        extras = new byte[capacity];
        queuePair = new TcpQueuePair[capacity];
    }

    /** The IO thread that calls the listener; queue pairs whose send queue completes here run on it too. */
    IoThread owner() {
        return owner;
    }

    void attach(TcpQueuePair qp) {
        users.add(qp);
    }

    void detach(TcpQueuePair qp) {
        users.remove(qp);
    }

    /**
     * Queues one completion. Never blocks: when the ring is full the queue overruns, the completion is lost and
     * the queue pairs using it are moved to the error state. Any thread, usually an IO thread.
     *
     * @return false after an overrun
     */
    boolean push(
            long id,
            WcStatus st,
            WcOpcode op,
            int length,
            TcpQueuePair qp,
            boolean hasImm,
            int imm,
            boolean hasInv,
            int inv) {
        if (overrun || closed) {
            return false;
        }
        long pos = tail.get();
        for (; ; ) {
            int slot = (int) (pos % capacity);
            long seq = sequence.get(slot);
            long diff = seq - pos;
            if (diff == 0) {
                if (tail.compareAndSet(pos, pos + 1)) {
                    wrId[slot] = id;
                    status[slot] = (byte) st.ordinal();
                    opcode[slot] = (byte) op.ordinal();
                    byteLength[slot] = length;
                    immediate[slot] = imm;
                    invalidated[slot] = inv;
                    extras[slot] = (byte) ((hasImm ? 1 : 0) | (hasInv ? 2 : 0));
                    queuePair[slot] = qp;
                    sequence.set(slot, pos + 1);
                    break;
                }
                pos = tail.get();
            } else if (diff < 0) {
                overrun();
                return false;
            } else {
                pos = tail.get();
            }
        }
        if (armed.get()) {
            scheduleNotification();
        }
        return true;
    }

    private void overrun() {
        overrun = true;
        LOG.warn("completion queue of {} entries overran; its queue pairs move to the error state", capacity);
        for (TcpQueuePair qp : users) {
            qp.failAsync();
        }
        scheduleNotification();
    }

    /** Any thread; non-blocking. */
    @Override
    public int poll(WorkCompletion[] completions) throws VerbsException {
        if (closed) {
            throw new VerbsException(Errno.EBADF, "completion queue is closed");
        }
        if (overrun) {
            throw new VerbsException(Errno.EOVERFLOW, "completion queue overran (capacity " + capacity + ")");
        }
        int n = 0;
        long pos = head.get();
        while (n < completions.length) {
            int slot = (int) (pos % capacity);
            long seq = sequence.get(slot);
            long diff = seq - (pos + 1);
            if (diff == 0) {
                if (!head.compareAndSet(pos, pos + 1)) {
                    pos = head.get();
                    continue;
                }
                WorkCompletion wc = completions[n++].set(
                        wrId[slot], STATUS[status[slot]], OPCODE[opcode[slot]], byteLength[slot], queuePair[slot]);
                if ((extras[slot] & 1) != 0) {
                    wc.immediate(immediate[slot]);
                }
                if ((extras[slot] & 2) != 0) {
                    wc.invalidated(invalidated[slot]);
                }
                queuePair[slot] = null;
                sequence.set(slot, pos + capacity);
                pos++;
            } else if (diff < 0) {
                break;
            } else {
                pos = head.get();
            }
        }
        return n;
    }

    private boolean isEmpty() {
        long pos = head.get();
        return sequence.get((int) (pos % capacity)) != pos + 1;
    }

    /** Any thread; non-blocking. The listener runs on the owner IO thread. */
    @Override
    public void requestNotify() {
        if (listener == null || closed) {
            return;
        }
        armed.set(true);
        if (!isEmpty() || overrun) {
            scheduleNotification();
        }
    }

    private void scheduleNotification() {
        if (listener == null) {
            return;
        }
        if (owner.inThread()) {
            owner.notifyLater(this);
        } else if (notificationHop.compareAndSet(false, true)) {
            owner.execute(hop);
        }
    }

    private void hop() {
        notificationHop.set(false);
        owner.notifyLater(this);
    }

    /** Owner thread: calls the listener if armed. */
    void fireIfArmed() {
        if (!closed && armed.compareAndSet(true, false)) {
            try {
                listener.onCompletion(this);
            } catch (RuntimeException e) {
                LOG.error("completion listener failed", e);
            }
        }
    }

    @Override
    public RdmaDevice device() {
        return device;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** @throws IllegalStateException (EBUSY) while queue pairs use the queue */
    @Override
    public void close() {
        if (!users.isEmpty()) {
            throw new IllegalStateException(
                    Errno.name(Errno.EBUSY) + ": " + users.size() + " queue pairs use this queue");
        }
        closed = true;
    }
}
