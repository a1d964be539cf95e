package dev.rtrs.transport.core.internal.client;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientLinkListener;
import dev.rtrs.transport.ClientLinkListener.LinkEvent;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.SessionState;
import dev.rtrs.transport.core.internal.Heartbeats;
import dev.rtrs.transport.core.internal.conn.PathLiveness;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client session does as its paths come and go: keeps the list of connected paths, tells the link listener,
 * reconnects lost paths after the reconnect delay plus jitter (up to {@code maxReconnectAttempts}), and moves the IO
 * of a lost path to a connected one.
 *
 * <p>Threading: path events arrive with the path's lock held and are handed to the session's executor, which runs
 * one task at a time and calls nothing with a lock held.
 */
final class PathRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(PathRecovery.class);

    private final ClientSessionImpl session;
    private final ClientSessionOptions options;
    private final ClientLinkListener listener;
    private final Heartbeats heartbeats;
    private final ScheduledExecutorService scheduler;
    private final Executor executor;
    private final CountDownLatch firstOutcome = new CountDownLatch(1);
    /** The path a session's open starts alone, and what starts the others after it; executor thread after open. */
    private volatile ClientPath firstPath;

    private volatile Runnable afterFirstPath;
    private volatile List<ClientPath> connected = List.of();
    private volatile SessionState state = SessionState.CONNECTING;
    private volatile int lastErrno = Errno.ECONNREFUSED;
    private volatile String lastFailure = "not connected";

    PathRecovery(
            ClientSessionImpl session,
            ClientSessionOptions options,
            ClientLinkListener listener,
            Heartbeats heartbeats,
            ScheduledExecutorService scheduler,
            Executor executor) {
        this.session = session;
        this.options = options;
        this.listener = listener;
        this.heartbeats = heartbeats;
        this.scheduler = scheduler;
        this.executor = executor;
    }

    List<ClientPath> connected() {
        return connected;
    }

    SessionState state() {
        return state;
    }

    CountDownLatch firstOutcome() {
        return firstOutcome;
    }

    int lastErrno() {
        return lastErrno;
    }

    String lastFailure() {
        return lastFailure;
    }

    // ---- path events (path lock held: hand everything to the executor) ----

    /**
     * Runs {@code next} once the first path's first attempt has an outcome, connected or failed: the session's other
     * paths join the session that path creates on the server, as the kernel's client connects its paths one after
     * the other when it opens a session.
     */
    void afterFirstPath(ClientPath first, Runnable next) {
        firstPath = first;
        afterFirstPath = next;
    }

    // executor thread
    private void firstPathDone(ClientPath path) {
        Runnable next = afterFirstPath;
        if (path == firstPath && next != null) {
            afterFirstPath = null;
            next.run();
        }
    }

    void pathConnected(ClientPath path, PathLiveness liveness) {
        executor.execute(() -> {
            firstPathDone(path);
            SessionState before = state;
            if (before == SessionState.CLOSED) {
                return;
            }
            heartbeats.connected(liveness);
            refreshConnected();
            state = SessionState.CONNECTED;
            firstOutcome.countDown();
            if (before == SessionState.CONNECTING) {
                notifyListener(LinkEvent.CONNECTED);
            } else if (before == SessionState.RECONNECTING) {
                notifyListener(LinkEvent.RECONNECTED);
            }
        });
    }

    /** @param generation the path's attempt generation after the failure, which a scheduled reconnect is for */
    void pathAttemptFailed(ClientPath path, int generation, int errno, String why) {
        lastErrno = errno;
        lastFailure = why;
        executor.execute(() -> {
            firstPathDone(path);
            if (state == SessionState.CONNECTING && session.allPathsFailedOnce()) {
                firstOutcome.countDown();
            }
            scheduleReconnect(path, generation);
        });
    }

    void pathLost(ClientPath path, int generation, PathLiveness liveness) {
        executor.execute(() -> {
            heartbeats.disconnected(liveness);
            refreshConnected();
            failOver(path);
            if (connected.isEmpty() && state == SessionState.CONNECTED) {
                state = SessionState.RECONNECTING;
                notifyListener(LinkEvent.DISCONNECTED);
            }
            scheduleReconnect(path, generation);
        });
    }

    /**
     * An operator closed or removed a path: its IO moves to the connected paths, and it is not reconnected. Called
     * after the path closed, with no lock held.
     */
    void pathClosed(ClientPath path) {
        executor.execute(() -> {
            refreshConnected();
            failOver(path);
            if (connected.isEmpty() && state == SessionState.CONNECTED) {
                state = SessionState.RECONNECTING;
                notifyListener(LinkEvent.DISCONNECTED);
            }
        });
    }

    // ---- executor tasks ----

    private void refreshConnected() {
        List<ClientPath> list = new ArrayList<>();
        for (ClientPath p : session.allPaths()) {
            if (p.isConnected()) {
                list.add(p);
            }
        }
        connected = List.copyOf(list);
    }

    /** The next attempt after the reconnect delay plus up to half of it (at least 100 ms) of random jitter. */
    private void scheduleReconnect(ClientPath path, int generation) {
        if (state == SessionState.CLOSED || path.state() == PathState.CLOSED) {
            return;
        }
        int max = session.maxReconnectAttempts();
        int failed = path.failedAttempts();
        if (max >= 0 && failed > max) {
            LOG.warn(
                    "session {}: path {} given up after {} failed reconnect attempts",
                    session.name(),
                    path.address,
                    failed);
            path.close();
            if (session.allPathsGivenUp()) {
                LOG.error("session {}: every path has been given up; IO fails with ENOTCONN", session.name());
            }
            return;
        }
        scheduler.schedule(
                () -> {
                    if (state != SessionState.CLOSED) {
                        path.connectIfWaiting(generation);
                    }
                },
                nextAttemptMillis(options.reconnectDelay().toMillis()),
                TimeUnit.MILLISECONDS);
    }

    /**
     * The wait before a reconnect attempt: the reconnect delay plus up to half of it (at least 100 ms) of random
     * jitter, which spreads the reconnects of many sessions that lost one server at once.
     */
    static long nextAttemptMillis(long reconnectDelayMillis) {
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(100, reconnectDelayMillis / 2) + 1);
        return reconnectDelayMillis + jitter;
    }

    /**
     * Moves the IOs in flight on a lost path to a connected one. With none connected they fail with ECONNABORTED,
     * as in the kernel: the server side of the session goes with its last path, so IO laid out for it must not be
     * replayed into the next one; the caller sends it again once it has re-established its state (the RNBD client
     * does so after its remap, until its IO timeout).
     */
    private void failOver(ClientPath lost) {
        PermitMemory permits = session.permitsOrNull();
        if (permits == null) {
            return;
        }
        for (ClientIo io : permits.all()) {
            // an IO waiting for its LOCAL_INV is taken too: its key is fenced by closing the lost attempt's regions
            if (io.path() != lost || !io.resumeAfterFailure()) {
                continue;
            }
            lost.counters.ioLeft();
            lost.counters.failedOver();
            if (!session.postAfterFailure(io, lost, connected) && io.finishIo()) {
                try {
                    io.callback().onComplete(Errno.ECONNABORTED);
                } catch (RuntimeException e) {
                    LOG.warn("session {}: IO callback failed", session.name(), e);
                }
            }
        }
    }

    /** The session closes: nothing reconnects any more. */
    void close() {
        state = SessionState.CLOSED;
        firstOutcome.countDown();
        connected = List.of();
    }

    private void notifyListener(LinkEvent event) {
        if (listener == null) {
            return;
        }
        try {
            listener.onLinkEvent((ClientSession) session, event);
        } catch (RuntimeException e) {
            LOG.warn("session {}: link listener failed on {}", session.name(), event, e);
        }
    }
}
