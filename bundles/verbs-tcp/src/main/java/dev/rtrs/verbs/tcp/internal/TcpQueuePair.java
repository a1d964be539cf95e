package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A reliable-connected queue pair. Posting copies the request into a preallocated slot and, for sends, hands
 * the queue pair to its IO thread (once, however many requests are posted meanwhile); the IO thread executes,
 * transmits and completes the requests. The IO thread is the one of the send completion queue, so completion
 * listeners and this queue pair's work run on one thread.
 */
final class TcpQueuePair implements QueuePair, Runnable {

    final TcpCmId cmId;
    final TcpProtectionDomain pd;
    final QueuePairAttributes attributes;
    final TcpCompletionQueue sendCq;
    final TcpCompletionQueue receiveCq;
    final IoThread io;
    final SendQueue sendQueue;
    final ReceiveQueue receiveQueue;
    private final int number;
    private final long maxMessage;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable failTask = () -> fail(null);
    private volatile QpState state = QpState.INIT;
    private volatile boolean closed;
    /** IO thread: the socket carrying this queue pair once connect or accept started. */
    QueuePairSocket socket;
    /** IO thread: views of registered memory for this queue pair's frames. */
    final ViewPool views = new ViewPool();

    TcpQueuePair(TcpCmId cmId, TcpProtectionDomain pd, QueuePairAttributes attributes, int number) {
        this.cmId = cmId;
        this.pd = pd;
        this.attributes = attributes;
        this.sendCq = (TcpCompletionQueue) attributes.sendCq();
        this.receiveCq = (TcpCompletionQueue) attributes.receiveCq();
        this.io = sendCq.owner();
        this.number = number;
        this.maxMessage = Integer.MAX_VALUE;
        this.sendQueue = new SendQueue(attributes.maxSendWr(), attributes.maxSendSge());
        this.receiveQueue = new ReceiveQueue(attributes.maxReceiveWr(), attributes.maxReceiveSge());
        sendCq.attach(this);
        if (receiveCq != sendCq) {
            receiveCq.attach(this);
        }
    }

    @Override
    public int qpNumber() {
        return number;
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

    /** Any thread; non-blocking. */
    @Override
    public void postSend(SendWorkRequest wr) throws VerbsException {
        checkSendable();
        try {
            sendQueue.post(null, wr, 1, this);
        } finally {
            schedule();
        }
    }

    /** Any thread; non-blocking. */
    @Override
    public int postSend(SendWorkRequest[] wrs, int count) throws VerbsException {
        checkSendable();
        if (count < 0 || count > wrs.length) {
            throw new VerbsException(Errno.EINVAL, "count " + count + " outside the array");
        }
        try {
            return sendQueue.post(wrs, null, count, this);
        } finally {
            schedule();
        }
    }

    /** Any thread; non-blocking. */
    @Override
    public void postReceive(ReceiveWorkRequest wr) throws VerbsException {
        checkOpen();
        receiveQueue.post(null, wr, 1);
        afterReceivePost();
    }

    /** Any thread; non-blocking. */
    @Override
    public int postReceive(ReceiveWorkRequest[] wrs, int count) throws VerbsException {
        checkOpen();
        if (count < 0 || count > wrs.length) {
            throw new VerbsException(Errno.EINVAL, "count " + count + " outside the array");
        }
        try {
            return receiveQueue.post(wrs, null, count);
        } finally {
            afterReceivePost();
        }
    }

    private void afterReceivePost() {
        // a queue pair in the error state flushes what is posted; otherwise the responder finds it when needed
        if (state == QpState.ERROR) {
            schedule();
        }
    }

    private void checkOpen() throws VerbsException {
        if (closed) {
            throw new VerbsException(Errno.EBADF, "queue pair " + number + " is closed");
        }
    }

    private void checkSendable() throws VerbsException {
        checkOpen();
        QpState s = state;
        if (s != QpState.READY_TO_SEND && s != QpState.ERROR) {
            throw new VerbsException(Errno.ENOTCONN, "queue pair " + number + " is not connected (" + s + ")");
        }
    }

    /** Checks a request against this queue pair and the device; returns its total length. */
    int validate(SendWorkRequest wr) throws VerbsException {
        SendOpcode op = wr.opcode();
        if (op == null) {
            throw new VerbsException(Errno.EINVAL, "no opcode");
        }
        if (wr.sgeCount() > attributes.maxSendSge()) {
            throw new VerbsException(
                    Errno.EINVAL,
                    wr.sgeCount() + " scatter/gather entries, the queue pair allows " + attributes.maxSendSge());
        }
        long total = 0;
        for (int i = 0; i < wr.sgeCount(); i++) {
            int len = wr.sge(i).length();
            if (len < 0) {
                throw new VerbsException(Errno.EINVAL, "negative scatter/gather entry length " + len);
            }
            total += len;
        }
        if (total > maxMessage) {
            throw new VerbsException(Errno.EINVAL, "message of " + total + " bytes above 2^31-1");
        }
        switch (op) {
            case LOCAL_INV -> requireCapability(Capability.LOCAL_INVALIDATE);
            case SEND_WITH_INV -> requireCapability(Capability.SEND_WITH_INVALIDATE);
            case REG_MR -> {
                requireCapability(Capability.FAST_REGISTRATION);
                if (!(wr.memoryRegion() instanceof TcpMemoryRegion r) || r.pd().tcpDevice() != pd.tcpDevice()) {
                    throw new VerbsException(Errno.EINVAL, "REG_MR needs a memory region of this device");
                }
                TcpProtectionDomain.validateAccess(wr.access());
            }
            default -> {}
        }
        return (int) total;
    }

    private void requireCapability(Capability c) throws VerbsException {
        if (!pd.tcpDevice().capabilities().supports(c)) {
            throw new VerbsException(Errno.EOPNOTSUPP, "the device lacks " + c);
        }
    }

    /** Hands this queue pair to its IO thread, once however often it is called meanwhile. */
    void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            io.execute(this);
        }
    }

    /** IO thread: transmit what was posted, or flush it in the error state. */
    @Override
    public void run() {
        scheduled.set(false);
        if (closed) {
            return;
        }
        if (state == QpState.ERROR) {
            sendQueue.flush(this, null);
            receiveQueue.flush(this);
        } else if (socket != null) {
            socket.flush();
        }
    }

    /** IO thread: the handshake on {@code s} is done (accept sent, or accept received). */
    void readyToSend(QueuePairSocket s) {
        socket = s;
        if (state == QpState.INIT) {
            state = QpState.READY_TO_SEND;
        }
    }

    /** IO thread: the socket carrying this queue pair will be this one (before it is established). */
    void bind(QueuePairSocket s) {
        socket = s;
    }

    /**
     * IO thread: moves to the error state and completes everything outstanding (see
     * {@link SendQueue#flush}). Repeated calls only flush what was posted since.
     */
    void fail(WcStatus firstRemote) {
        if (closed) {
            return;
        }
        boolean entering = state != QpState.ERROR;
        state = QpState.ERROR;
        if (entering && socket != null) {
            socket.onQueuePairError();
        }
        sendQueue.flush(this, firstRemote);
        receiveQueue.flush(this);
    }

    /** Any thread: {@link #fail} on the IO thread (a completion queue overran). */
    void failAsync() {
        io.execute(failTask);
    }

    void sendCompletion(long wrId, WcStatus status, WcOpcode opcode, int length) {
        if (!closed) {
            sendCq.push(wrId, status, opcode, length, this, false, 0, false, 0);
        }
    }

    void receiveCompletion(
            long wrId,
            WcStatus status,
            WcOpcode opcode,
            int byteLength,
            boolean hasImmediate,
            int immediate,
            boolean hasInvalidate,
            int invalidated) {
        if (!closed) {
            receiveCq.push(wrId, status, opcode, byteLength, this, hasImmediate, immediate, hasInvalidate, invalidated);
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Destroys the queue pair; outstanding requests are not completed. Any thread; non-blocking. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        state = QpState.ERROR;
        sendCq.detach(this);
        receiveCq.detach(this);
        cmId.queuePairClosed(this);
        io.execute(() -> {
            QueuePairSocket s = socket;
            if (s != null) {
                s.onQueuePairClosed();
            }
            sendQueue.discard();
            receiveQueue.discard();
        });
    }

    @Override
    public String toString() {
        return "QP[" + number + ", " + state + "]";
    }
}
