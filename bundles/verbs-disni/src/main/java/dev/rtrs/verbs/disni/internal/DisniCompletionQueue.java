package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.IbvCQ;
import com.ibm.disni.verbs.IbvCompChannel;
import com.ibm.disni.verbs.IbvContext;
import com.ibm.disni.verbs.IbvWC;
import com.ibm.disni.verbs.SVCPollCq;
import com.ibm.disni.verbs.SVCReqNotify;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CompletionListener;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WorkCompletion;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A completion queue with its own completion channel (DiSNI does not say which queue an event is for, so a channel
 * serves one queue) and, when it has a listener, one thread waiting for its events. Polling reuses one prepared
 * {@link SVCPollCq} over a fixed {@link IbvWC} array; completions polled beyond the caller's array wait in a small
 * ring for the next poll. Poll and arm are serialised by one lock.
 */
final class DisniCompletionQueue implements CompletionQueue {

    private static final Logger LOG = LoggerFactory.getLogger(DisniCompletionQueue.class);
    private static final int POLL_BATCH = 32;

    private final DisniDevice device;
    private final IbvCompChannel channel;
    private final IbvCQ cq;
    private final int capacity;
    private final CompletionListener listener;
    private final int waitMs;

    private final Object lock = new Object();
    private final IbvWC[] polled;
    private final SVCPollCq pollCall;
    private final SVCReqNotify notifyCall;
    private final WorkCompletion[] stash;
    private int stashHead;
    private int stashSize;
    private volatile boolean wakePending;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CompletionTranslator translator = new CompletionTranslator(this);
    private volatile DisniQueuePair[] queuePairs = new DisniQueuePair[0];
    private boolean overrun;
    private volatile boolean closed;
    private boolean destroyed;
    private final Thread thread;

    private DisniCompletionQueue(
            DisniDevice device, IbvCompChannel channel, IbvCQ cq, int capacity, CompletionListener listener, int waitMs)
            throws IOException {
        this.device = device;
        this.channel = channel;
        this.cq = cq;
        this.capacity = capacity;
        this.listener = listener;
        this.waitMs = waitMs;
        this.polled = new IbvWC[Math.min(POLL_BATCH, capacity)];
        for (int i = 0; i < polled.length; i++) {
            polled[i] = new IbvWC();
        }
        this.stash = new WorkCompletion[polled.length];
        for (int i = 0; i < stash.length; i++) {
            stash[i] = new WorkCompletion();
        }
        this.pollCall = cq.poll(polled, polled.length);
        this.notifyCall = cq.reqNotification(false);
        this.thread = listener == null ? null : new Thread(this::waitForEvents, "disni-cq-" + device.name());
    }

    /** Creates the channel and the queue, and starts the thread when there is a listener. */
    static DisniCompletionQueue create(
            DisniDevice device, int capacity, CompletionListener listener, int waitMs, int vector)
            throws VerbsException {
        IbvContext context = device.context();
        IbvCompChannel channel = null;
        IbvCQ cq = null;
        try {
            channel = context.createCompChannel();
            cq = context.createCQ(channel, capacity, vector);
            if (channel == null || cq == null) {
                throw new IOException("ibv_create_cq failed: Cannot allocate memory");
            }
            DisniCompletionQueue result = new DisniCompletionQueue(device, channel, cq, capacity, listener, waitMs);
            if (result.thread != null) {
                result.thread.setDaemon(true);
                result.thread.start();
            }
            return result;
        } catch (IOException e) {
            destroyQuietly(channel, cq);
            throw Errnos.wrap("create a completion queue of " + capacity + " on " + device.name(), e, Errno.ENOMEM);
        }
    }

    @Override
    public RdmaDevice device() {
        return device;
    }

    DisniDevice disniDevice() {
        return device;
    }

    IbvCQ nativeCq() {
        return cq;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    void attach(DisniQueuePair qp) {
        synchronized (lock) {
            DisniQueuePair[] current = queuePairs;
            if (!Arrays.asList(current).contains(qp)) {
                DisniQueuePair[] next = Arrays.copyOf(current, current.length + 1);
                next[current.length] = qp;
                queuePairs = next;
            }
        }
    }

    /** Completions of a closed queue pair are dropped from now on. */
    void detach(DisniQueuePair qp) {
        synchronized (lock) {
            queuePairs = Arrays.stream(queuePairs).filter(q -> q != qp).toArray(DisniQueuePair[]::new);
        }
    }

    @Override
    public int poll(WorkCompletion[] completions) throws VerbsException {
        synchronized (lock) {
            if (closed) {
                throw new VerbsException(Errno.EBADF, "completion queue closed");
            }
            int n = drainStash(completions);
            while (n < completions.length) {
                int count;
                try {
                    count = pollNative();
                } catch (VerbsException e) {
                    if (n > 0) {
                        break; // hand out what was polled; the next poll reports the failure
                    }
                    throw e;
                }
                for (int i = 0; i < count; i++) {
                    if (n < completions.length) {
                        if (translator.translate(polled[i], completions[n], queuePairs)) {
                            n++;
                        }
                    } else if (translator.translate(polled[i], stashTail(), queuePairs)) {
                        stashSize++;
                    }
                }
                if (count < polled.length) {
                    break;
                }
            }
            wakePending = stashSize > 0;
            return n;
        }
    }

    @Override
    public void requestNotify() {
        if (listener == null) {
            return;
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            armed.set(true);
            try {
                notifyCall.execute();
            } catch (IOException e) {
                LOG.warn("Arming a completion queue on {} failed: {}", device.name(), e.getMessage());
            }
            // the NIC raises an event only for completions after the arm: look for earlier ones ourselves
            if (stashSize == 0 && !overrun) {
                try {
                    int count = pollNative();
                    for (int i = 0; i < count; i++) {
                        if (translator.translate(polled[i], stashTail(), queuePairs)) {
                            stashSize++;
                        }
                    }
                } catch (VerbsException e) {
                    LOG.debug("Polling after arming failed: {}", e.getMessage());
                }
            }
            wakePending = stashSize > 0 || overrun;
        }
    }

    /** The free slot after the stashed completions; the stash is empty whenever more are polled into it. */
    private WorkCompletion stashTail() {
        return stash[(stashHead + stashSize) % stash.length];
    }

    private int drainStash(WorkCompletion[] completions) throws VerbsException {
        int n = 0;
        while (stashSize > 0 && n < completions.length) {
            completions[n++].copyFrom(stash[stashHead]);
            stashHead = (stashHead + 1) % stash.length;
            stashSize--;
        }
        if (n == 0 && overrun) {
            throw new VerbsException(Errno.EOVERFLOW, "completion queue overran or failed");
        }
        return n;
    }

    private int pollNative() throws VerbsException {
        if (overrun) {
            return 0;
        }
        try {
            return pollCall.execute().getPolls();
        } catch (IOException e) {
            // ibv_poll_cq fails after a CQ overrun or a fatal device error; every queue pair on it is broken
            overrun = true;
            for (DisniQueuePair qp : queuePairs) {
                qp.toError();
            }
            throw new VerbsException(
                    Errno.EOVERFLOW, "completion queue on " + device.name() + " failed: " + e.getMessage(), e);
        }
    }

    /** The completion thread: waits for events, then calls the listener once per arm. */
    private void waitForEvents() {
        while (!closed) {
            boolean event = false;
            try {
                event = channel.getCqEvent(cq, waitMs);
                if (event) {
                    cq.ackEvents(1);
                }
            } catch (IOException e) {
                if (closed) {
                    break;
                }
                LOG.warn("Waiting for completions on {} failed: {}", device.name(), e.getMessage());
                sleep(waitMs);
            }
            if ((event || wakePending) && !closed && armed.compareAndSet(true, false)) {
                try {
                    listener.onCompletion(this);
                } catch (RuntimeException e) {
                    LOG.warn("Completion listener failed on {}", device.name(), e);
                }
            }
        }
        destroyNative();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        device.runtime().untrack(this);
        if (thread == null) {
            destroyNative();
        } else if (Thread.currentThread() != thread) {
            // the thread leaves its native wait within waitMs and destroys the queue; a listener closing its own
            // queue returns to that loop first
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void destroyNative() {
        synchronized (lock) {
            if (destroyed) {
                return;
            }
            destroyed = true;
            pollCall.free();
            notifyCall.free();
        }
        destroyQuietly(channel, cq);
    }

    private static void destroyQuietly(IbvCompChannel channel, IbvCQ cq) {
        try {
            if (cq != null) {
                cq.destroyCQ();
            }
        } catch (IOException e) {
            LOG.warn("Destroying a completion queue failed: {}", e.getMessage());
        }
        try {
            if (channel != null) {
                channel.destroyCompChannel();
            }
        } catch (IOException e) {
            LOG.warn("Destroying a completion channel failed: {}", e.getMessage());
        }
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
