package dev.rtrs.transport.core.internal.conn;

import dev.rtrs.transport.log.RateLimitedLog;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WorkCompletion;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RTRS connection: a queue pair with its completion queue, a ring of receive slots that are re-posted
 * after each receive, and send-queue accounting.
 *
 * <p>Send-queue space is counted from send completions only (every send is signaled, so each completion
 * frees one slot): a request that finds no free slot waits in a backlog, posted in order as completions
 * free slots. Never infer free slots from a received message: the peer's reply can overtake the ACK that
 * frees the slot.
 *
 * <p>Threading: completions are processed on the provider's notification thread, one batch at a time; the
 * {@link Handler} is called there. {@link #post} may be called from any thread.
 */
public final class Connection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final RateLimitedLog WARN = RateLimitedLog.of(LOG);
    private static final int POLL_BATCH = 32;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** What the owner of a connection does with its completions. */
    public interface Handler {

        /**
         * A receive completed successfully; {@code slot} views the received bytes (position 0, limit = length). The
         * view is the slot's own and is reused for its next receive: read it during the call, do not keep it.
         */
        void onReceive(Connection connection, WorkCompletion wc, ByteBuffer slot);

        /** A send-queue request completed successfully. */
        void onSendCompleted(Connection connection, WorkCompletion wc);

        /** A request completed with an error (the queue pair is in the error state, or soon will be). */
        void onError(Connection connection, WorkCompletion wc);
    }

    private final CmId cmId;
    private final int cid;
    private final Handler handler;
    private final String name;
    private CompletionQueue cq;
    private QueuePair qp;
    private MemoryRegion receiveRegion;
    /** One view per receive slot, made once: a receive is handed on without a buffer allocated for it. */
    private ByteBuffer[] slotViews;

    private int slotSize;
    private int firstSlotSize;
    private int sendSlots;

    private final Object sendLock = new Object();
    private final ArrayDeque<SendWorkRequest> backlog = new ArrayDeque<>();
    private final WorkCompletion[] polled = new WorkCompletion[POLL_BATCH];
    private final ReceiveWorkRequest repost = new ReceiveWorkRequest(1);
    private final AtomicInteger drainRequests = new AtomicInteger();
    private long deferred;
    /** More parked requests than this means the peer makes the connection send faster than it can: it fails. */
    private int backlogLimit;

    private volatile boolean closed;
    private volatile boolean failed;
    // what the heartbeat reads: when this connection last posted a request and last received anything
    private volatile long lastPostNanos = System.nanoTime();
    private volatile long lastReceiveNanos = System.nanoTime();

    public Connection(CmId cmId, int cid, Handler handler, String name) {
        this.cmId = cmId;
        this.cid = cid;
        this.handler = handler;
        this.name = name;
        for (int i = 0; i < POLL_BATCH; i++) {
            polled[i] = new WorkCompletion();
        }
    }

    /**
     * Creates the completion queue and the queue pair and posts the receives. Slot 0 may be larger than the
     * others (the client's service connection receives INFO_RSP into it first).
     */
    public void setUp(ProtectionDomain pd, int sendDepth, int receiveDepth, int firstSlot, int slot)
            throws VerbsException {
        this.sendSlots = sendDepth;
        this.backlogLimit = 4 * sendDepth + 64;
        this.slotSize = slot;
        this.firstSlotSize = Math.max(firstSlot, slot);
        int cqSize = sendDepth + receiveDepth;
        cq = pd.device().createCompletionQueue(cqSize, this::drain);
        qp = cmId.createQueuePair(pd, new QueuePairAttributes(cq, cq, sendDepth, receiveDepth, 4, 1));
        ByteBuffer memory = ByteBuffer.allocateDirect(firstSlotSize + (receiveDepth - 1) * slot);
        receiveRegion = pd.register(memory, Access.LOCAL_WRITE);
        slotViews = new ByteBuffer[receiveDepth];
        for (int i = 0; i < receiveDepth; i++) {
            int offset = i == 0 ? 0 : firstSlotSize + (i - 1) * slot;
            slotViews[i] = memory.duplicate()
                    .limit(offset + (i == 0 ? firstSlotSize : slot))
                    .position(offset)
                    .slice();
        }
        for (int i = 0; i < receiveDepth; i++) {
            postReceive(i);
        }
        cq.requestNotify();
    }

    public int cid() {
        return cid;
    }

    public CmId cmId() {
        return cmId;
    }

    public QueuePair queuePair() {
        return qp;
    }

    /** How many requests waited in the backlog for a send completion to free a slot. */
    public long deferredPosts() {
        synchronized (sendLock) {
            return deferred;
        }
    }

    public boolean isFailed() {
        return failed || closed;
    }

    /**
     * Posts a send-queue request, or queues it until a completion frees a slot. The request object must stay
     * untouched until it is posted (it belongs to one IO). Non-blocking.
     *
     * @return false when the connection is closed or failed (nothing was posted)
     */
    public boolean post(SendWorkRequest wr) {
        lastPostNanos = System.nanoTime();
        synchronized (sendLock) {
            if (closed || failed) {
                return false;
            }
            if (sendSlots == 0 || !backlog.isEmpty()) {
                if (backlog.size() < backlogLimit) {
                    deferred++;
                    backlog.addLast(wr);
                    return true;
                }
                failed = true;
            } else {
                return postNow(wr);
            }
        }
        WARN.warn("send-backlog", "{}: more than {} sends wait for the send queue; disconnecting", name, backlogLimit);
        cmId.disconnect();
        return false;
    }

    /**
     * Posts a request only if the send queue has room now; false otherwise, and nothing is queued. For what may be
     * dropped under pressure (a heartbeat's answer): the request object may be reused as soon as this returns.
     */
    public boolean postIfRoom(SendWorkRequest wr) {
        lastPostNanos = System.nanoTime();
        synchronized (sendLock) {
            if (closed || failed || sendSlots == 0 || !backlog.isEmpty()) {
                return false;
            }
            return postNow(wr);
        }
    }

    // sendLock held
    private boolean postNow(SendWorkRequest wr) {
        try {
            qp.postSend(wr);
            sendSlots--;
            return true;
        } catch (VerbsException e) {
            LOG.warn("{}: posting {} failed: {}", name, wr, e.getMessage());
            failed = true;
            return false;
        }
    }

    private void postReceive(int slot) throws VerbsException {
        int offset = slot == 0 ? 0 : firstSlotSize + (slot - 1) * slotSize;
        int length = slot == 0 ? firstSlotSize : slotSize;
        repost.reset(slot).addSge(receiveRegion, offset, length);
        qp.postReceive(repost);
    }

    /**
     * Called by the provider when the armed queue has completions. Calls that overlap (a provider may notify
     * from another thread while a drain runs) are folded into the running drain, so one thread polls at a time.
     */
    private void drain(CompletionQueue queue) {
        if (drainRequests.getAndIncrement() > 0) {
            return;
        }
        int missed = 1;
        do {
            drainOnce(queue);
            missed = drainRequests.addAndGet(-missed);
        } while (missed != 0);
    }

    private void drainOnce(CompletionQueue queue) {
        try {
            while (!closed) {
                int n = queue.poll(polled);
                if (n == 0) {
                    queue.requestNotify();
                    n = queue.poll(polled);
                    if (n == 0) {
                        return;
                    }
                }
                for (int i = 0; i < n; i++) {
                    dispatch(polled[i]);
                }
            }
        } catch (VerbsException e) {
            LOG.warn("{}: completion queue failed: {}", name, e.getMessage());
            failed = true;
        } catch (RuntimeException e) {
            LOG.error("{}: completion handling failed", name, e);
            failed = true;
        }
    }

    private void dispatch(WorkCompletion wc) throws VerbsException {
        boolean receive = wc.opcode() == WcOpcode.RECV || wc.opcode() == WcOpcode.RECV_RDMA_WITH_IMM;
        if (!receive) {
            releaseSendSlot();
        }
        if (!wc.isSuccess()) {
            failed = true;
            handler.onError(this, wc);
            return;
        }
        if (receive) {
            lastReceiveNanos = System.nanoTime();
            int slot = (int) wc.wrId();
            // an RDMA_WRITE_WITH_IMM placed its data elsewhere: the slot itself received nothing
            if (wc.opcode() == WcOpcode.RECV && wc.byteLength() > 0) {
                ByteBuffer view = slotViews[slot];
                view.limit(wc.byteLength()).position(0);
                handler.onReceive(this, wc, view);
            } else {
                handler.onReceive(this, wc, EMPTY);
            }
            if (!closed && !failed) {
                postReceive(slot);
            }
        } else {
            handler.onSendCompleted(this, wc);
        }
    }

    private void releaseSendSlot() {
        synchronized (sendLock) {
            sendSlots++;
            while (sendSlots > 0 && !backlog.isEmpty() && !failed) {
                if (!postNow(backlog.pollFirst())) {
                    break;
                }
            }
        }
    }

    /** When this connection last posted a send-queue request ({@link System#nanoTime()}). */
    public long lastPostNanos() {
        return lastPostNanos;
    }

    /** When this connection last received anything ({@link System#nanoTime()}). */
    public long lastReceiveNanos() {
        return lastReceiveNanos;
    }

    /** Starts an orderly disconnect; completions of outstanding requests arrive flushed. */
    public void disconnect() {
        cmId.disconnect();
    }

    /** Tears the connection down: no more completions are handled. */
    @Override
    public void close() {
        closed = true;
        synchronized (sendLock) {
            backlog.clear();
        }
        cmId.disconnect();
        if (qp != null) {
            qp.close();
        }
        cmId.close();
        if (receiveRegion != null) {
            receiveRegion.close();
        }
        if (cq != null) {
            cq.close();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
