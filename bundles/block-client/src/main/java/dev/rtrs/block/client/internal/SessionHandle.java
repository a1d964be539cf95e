package dev.rtrs.block.client.internal;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientLinkListener;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.TransportException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RTRS session of the RNBD client, shared by the devices mapped through it. Requests never block their
 * caller: without a free permit, or while the link is down, they wait in a FIFO and go out as permits come
 * back or the link returns. Requests the server could not serve because the link broke are retried until their
 * deadline.
 */
final class SessionHandle implements ClientLinkListener {

    private static final Logger LOG = LoggerFactory.getLogger(SessionHandle.class);

    final String name;
    final List<MappedDevice> devices = new CopyOnWriteArrayList<>();
    /** The configured address of each path of the session, by the path's uuid. */
    final Map<UUID, PathAddress> pathAddresses = new ConcurrentHashMap<>();

    private final RnbdClient owner;
    private final Object lock = new Object();
    private final ArrayDeque<IoTask> pending = new ArrayDeque<>();
    private volatile ClientSession session;
    /** The idle tasks of the devices' IO: at most as many as the session has permits. */
    private volatile IoTaskPool pool;
    /** IO may flow: connected and, after a reconnect, remapped. */
    private volatile boolean ready;

    private volatile boolean closed;

    SessionHandle(RnbdClient owner, String name) {
        this.owner = owner;
        this.name = name;
    }

    void attach(ClientSession s) {
        this.session = s;
        this.pool = new IoTaskPool(this, s.queueDepth());
        this.ready = true;
    }

    ClientSession session() {
        return session;
    }

    int maxIoSize() {
        return session.maxIoSize();
    }

    // ---- submission ----

    /**
     * An idle task for a piece of a device's request, never waiting for one: see {@link IoTaskPool#acquire}.
     *
     * @param data the request's buffer when the piece sends a view of it, else null
     */
    IoTask idleTask(ByteBuffer data) {
        return pool.acquire(data);
    }

    /** The pool of the devices' IO tasks, for tests. */
    IoTaskPool pool() {
        return pool;
    }

    void submit(IoTask task) {
        synchronized (lock) {
            if (closed) {
                task.complete(Errno.ESHUTDOWN);
                return;
            }
            if (!task.control && (!ready || !pending.isEmpty())) {
                pending.addLast(task);
                return;
            }
        }
        Permit p = tryPermit();
        if (p == null) {
            synchronized (lock) {
                if (task.control) {
                    pending.addFirst(task);
                } else {
                    pending.addLast(task);
                }
            }
            drain();
            return;
        }
        send(p, task);
    }

    private Permit tryPermit() {
        try {
            return session.tryAcquirePermit();
        } catch (TransportException e) {
            return null;
        }
    }

    private void send(Permit p, IoTask task) {
        task.permit = p;
        try {
            session.submit(p, task.direction, task.header(), task.data, task);
        } catch (TransportException e) {
            session.releasePermit(p);
            if (e.errno() == Errno.ENOTCONN) {
                ready = false;
                retry(task, e.errno());
            } else {
                task.complete(e.errno());
            }
        }
    }

    /** The transport's callback of a task's IO, on a transport thread. */
    void completed(IoTask task, int errno) {
        session.releasePermit(task.permit);
        if (retryable(errno) && !task.control) {
            retry(task, errno);
        } else {
            task.complete(errno);
        }
        drain();
    }

    /** The link broke under the request (or the server forgot the device id until the remap): try again. */
    private static boolean retryable(int errno) {
        return errno == Errno.ENOTCONN || errno == Errno.ECONNABORTED || errno == Errno.ECONNRESET;
    }

    private void retry(IoTask task, int errno) {
        if (System.nanoTime() - task.deadline >= 0 || closed || givenUp()) {
            // the IO timeout (the block layer's fast_io_fail_tmo) or a session whose every path gave up reconnecting
            task.complete(closed ? Errno.ESHUTDOWN : Errno.EIO);
            return;
        }
        synchronized (lock) {
            pending.addFirst(task);
        }
    }

    /** Every path of the session has given up reconnecting (its maxReconnectAttempts ran out). */
    private boolean givenUp() {
        ClientSession s = session;
        return s != null && s.paths().stream().allMatch(p -> p.state() == PathState.CLOSED);
    }

    /** Sends queued requests while permits are free. */
    void drain() {
        while (true) {
            IoTask task;
            Permit p;
            synchronized (lock) {
                IoTask head = pending.peekFirst();
                if (head == null || (!ready && !head.control) || closed) {
                    return;
                }
                p = tryPermit();
                if (p == null) {
                    return;
                }
                task = pending.pollFirst();
            }
            send(p, task);
        }
    }

    /** Fails queued requests whose deadline passed; called periodically. */
    void expire() {
        List<IoTask> expired = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (lock) {
            pending.removeIf(t -> {
                if (now - t.deadline >= 0 && (!ready || t.control)) {
                    expired.add(t);
                    return true;
                }
                return false;
            });
        }
        for (IoTask t : expired) {
            // a control message without an answer is a timeout, an errno the server never sends: RnbdClient tells
            // a refusal from a lost link by it
            t.complete(t.control ? Errno.ETIMEDOUT : Errno.EIO);
        }
    }

    // ---- link ----

    @Override
    public void onLinkEvent(ClientSession s, LinkEvent event) {
        switch (event) {
            case DISCONNECTED -> {
                ready = false;
                LOG.warn("RNBD session {}: link down; IO waits for the reconnect", name);
            }
            case RECONNECTED -> owner.remapLater(this);
            case CONNECTED -> {}
            default -> {}
        }
    }

    /** After a remap: let IO flow again. */
    void resume() {
        ready = true;
        drain();
    }

    void suspend() {
        ready = false;
    }

    boolean isReady() {
        return ready;
    }

    void close() {
        List<IoTask> left;
        synchronized (lock) {
            closed = true;
            left = new ArrayList<>(pending);
            pending.clear();
        }
        for (IoTask t : left) {
            t.complete(Errno.ESHUTDOWN);
        }
        ClientSession s = session;
        if (s != null) {
            s.close();
        }
    }
}
