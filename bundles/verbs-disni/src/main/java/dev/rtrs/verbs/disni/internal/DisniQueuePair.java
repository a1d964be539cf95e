package dev.rtrs.verbs.disni.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import java.io.IOException;

/**
 * A reliable-connected queue pair created through RDMA CM. Each queue has its own lock, held across the native post
 * so that the outstanding-request ring and the hardware queue never disagree; the completion side takes the same
 * lock briefly. Its state follows the connection-manager events and failed completions (DiSNI cannot query it).
 */
final class DisniQueuePair implements QueuePair {

    /** Prepared calls per queue pair: enough for the distinct shapes of a busy connection, bounded in memory. */
    private static final int MAX_PREPARED_CALLS = 1024;

    private final DisniCmId cmId;
    private final int qpNumber;
    private final QueuePairAttributes attributes;
    private final CompletionQueue sendCq;
    private final CompletionQueue receiveCq;

    private final Object sendLock = new Object();
    private final WorkQueueTracker sends;
    private final PostSendCache sendCalls;
    private final SendWorkRequest[] oneSend = new SendWorkRequest[1];

    private final Object receiveLock = new Object();
    private final WorkQueueTracker receives;
    private final PostRecvCache receiveCalls;
    private final ReceiveWorkRequest[] oneReceive = new ReceiveWorkRequest[1];

    private volatile QpState state = QpState.INIT;
    private volatile boolean closed;

    /**
     * @param sendPreparer    prepares DiSNI post-send calls: {@code IbvQP.postSend(wrs, null)}
     * @param receivePreparer prepares DiSNI post-receive calls: {@code IbvQP.postRecv(wrs, null)}
     */
    DisniQueuePair(
            DisniCmId cmId,
            int qpNumber,
            QueuePairAttributes attributes,
            PostSendCache.Preparer sendPreparer,
            PostRecvCache.Preparer receivePreparer) {
        this.cmId = cmId;
        this.qpNumber = qpNumber;
        this.attributes = attributes;
        this.sendCq = attributes.sendCq();
        this.receiveCq = attributes.receiveCq();
        this.sends = new WorkQueueTracker(attributes.maxSendWr());
        this.receives = new WorkQueueTracker(attributes.maxReceiveWr());
        this.sendCalls = new PostSendCache(Math.min(MAX_PREPARED_CALLS, 2 * attributes.maxSendWr()), sendPreparer);
        this.receiveCalls =
                new PostRecvCache(Math.min(MAX_PREPARED_CALLS, 2 * attributes.maxReceiveWr()), receivePreparer);
    }

    @Override
    public int qpNumber() {
        return qpNumber;
    }

    @Override
    public QpState state() {
        return state;
    }

    @Override
    public QueuePairAttributes attributes() {
        return attributes;
    }

    @Override
    public CmId cmId() {
        return cmId;
    }

    CompletionQueue sendCq() {
        return sendCq;
    }

    CompletionQueue receiveCq() {
        return receiveCq;
    }

    /** The connection is up (ESTABLISHED); a queue pair already in error stays there. */
    synchronized void established() {
        if (state == QpState.INIT) {
            state = QpState.READY_TO_SEND;
        }
    }

    /** A failed completion, a disconnect or a connection error moved the queue pair to the error state. */
    synchronized void toError() {
        state = QpState.ERROR;
    }

    @Override
    public void postSend(SendWorkRequest wr) throws VerbsException {
        synchronized (sendLock) {
            oneSend[0] = wr;
            try {
                postSends(oneSend, 1);
            } finally {
                oneSend[0] = null;
            }
        }
    }

    @Override
    public int postSend(SendWorkRequest[] wrs, int count) throws VerbsException {
        synchronized (sendLock) {
            return postSends(wrs, count);
        }
    }

    /** Posts the acceptable prefix of the batch in one native call, then reports why the rest was refused. */
    private int postSends(SendWorkRequest[] wrs, int count) throws VerbsException {
        if (closed) {
            throw new VerbsException(Errno.EBADF, "queue pair " + qpNumber + " closed");
        }
        QpState s = state;
        if (s != QpState.READY_TO_SEND && s != QpState.ERROR) {
            throw new VerbsException(Errno.ENOTCONN, "queue pair " + qpNumber + " is not connected (" + s + ")");
        }
        VerbsException refusal = null;
        int accepted = 0;
        while (accepted < count) {
            refusal = WorkRequests.refusal(wrs[accepted], attributes.maxSendSge(), sends.free() - accepted);
            if (refusal != null) {
                break;
            }
            accepted++;
        }
        if (accepted > 0) {
            for (int i = 0; i < accepted; i++) {
                SendWorkRequest wr = wrs[i];
                sends.add(wr.wrId(), wr.opcode(), wr.isSignaled(), wr.totalLength());
            }
            try {
                sendCalls.prepared(wrs, 0, accepted).execute();
            } catch (IOException e) {
                sends.removeNewest(accepted);
                throw Errnos.wrap("post send on queue pair " + qpNumber, e, Errno.EIO);
            }
        }
        if (refusal != null) {
            throw refusal;
        }
        return count;
    }

    @Override
    public void postReceive(ReceiveWorkRequest wr) throws VerbsException {
        synchronized (receiveLock) {
            oneReceive[0] = wr;
            try {
                postReceives(oneReceive, 1);
            } finally {
                oneReceive[0] = null;
            }
        }
    }

    @Override
    public int postReceive(ReceiveWorkRequest[] wrs, int count) throws VerbsException {
        synchronized (receiveLock) {
            return postReceives(wrs, count);
        }
    }

    private int postReceives(ReceiveWorkRequest[] wrs, int count) throws VerbsException {
        if (closed) {
            throw new VerbsException(Errno.EBADF, "queue pair " + qpNumber + " closed");
        }
        VerbsException refusal = null;
        int accepted = 0;
        while (accepted < count) {
            ReceiveWorkRequest wr = wrs[accepted];
            if (wr.sgeCount() > attributes.maxReceiveSge()) {
                refusal = new VerbsException(
                        Errno.EINVAL,
                        wr.sgeCount() + " entries exceed the receive queue's " + attributes.maxReceiveSge());
                break;
            }
            if (accepted >= receives.free()) {
                refusal = new VerbsException(Errno.ENOMEM, "receive queue of " + receives.capacity() + " is full");
                break;
            }
            accepted++;
        }
        if (accepted > 0) {
            for (int i = 0; i < accepted; i++) {
                receives.add(wrs[i].wrId(), null, true, wrs[i].totalLength());
            }
            try {
                receiveCalls.prepared(wrs, 0, accepted).execute();
            } catch (IOException e) {
                receives.removeNewest(accepted);
                throw Errnos.wrap("post receive on queue pair " + qpNumber, e, Errno.EIO);
            }
        }
        if (refusal != null) {
            throw refusal;
        }
        return count;
    }

    /** A send completion: frees its slots. Called by the polling completion queue. */
    boolean sendCompleted(boolean success, WorkQueueTracker.Completed out) {
        synchronized (sendLock) {
            return success ? sends.completeSignaled(out) : sends.completeOldest(out);
        }
    }

    /** A receive completion: frees its slot. */
    boolean receiveCompleted(WorkQueueTracker.Completed out) {
        synchronized (receiveLock) {
            return receives.completeOldest(out);
        }
    }

    boolean oldestSendIs(long wrId) {
        synchronized (sendLock) {
            return sends.oldestIs(wrId);
        }
    }

    boolean oldestReceiveIs(long wrId) {
        synchronized (receiveLock) {
            return receives.oldestIs(wrId);
        }
    }

    boolean hasOutstandingSends() {
        synchronized (sendLock) {
            return !sends.isEmpty();
        }
    }

    boolean hasOutstandingReceives() {
        synchronized (receiveLock) {
            return !receives.isEmpty();
        }
    }

    @Override
    public void close() {
        synchronized (sendLock) {
            synchronized (receiveLock) {
                if (closed) {
                    return;
                }
                closed = true;
            }
        }
        toError();
        if (sendCq instanceof DisniCompletionQueue cq) {
            cq.detach(this);
        }
        if (receiveCq instanceof DisniCompletionQueue cq) {
            cq.detach(this);
        }
        cmId.destroyQueuePair(this);
        // no post can start any more; free the prepared calls' native memory
        synchronized (sendLock) {
            sendCalls.close();
        }
        synchronized (receiveLock) {
            receiveCalls.close();
        }
    }

    @Override
    public String toString() {
        return "DisniQueuePair[" + qpNumber + ", " + state + "]";
    }
}
