package dev.rtrs.transport.core.internal.client;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.RtrsLimits;
import dev.rtrs.transport.SessionState;
import dev.rtrs.transport.TransportException;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does to the paths of a running session, as the kernel's rtrs-client sysfs does: {@code add_path},
 * {@code remove_path}, and a path's {@code disconnect} and {@code reconnect}.
 *
 * <p>Threading: called on operator threads (the shell, an admin service), never a transport thread: adding and
 * reconnecting wait for the path's outcome. This object's monitor serializes changes of the path list; IO reads the
 * list without a lock (it is copy-on-write).
 */
final class SessionPaths {

    private static final Logger LOG = LoggerFactory.getLogger(SessionPaths.class);
    private static final long POLL_MS = 10;
    /** Beyond the connect timeout, for the executor to publish the outcome. */
    private static final long GRACE_MS = 1000;

    private final ClientSessionImpl session;
    private final ClientSessionOptions options;
    private final List<ClientPath> paths;
    /** The next path's {@link ClientPath#index()}: indexes are never reused, so a policy's view of them stays stable. */
    private int nextIndex;

    SessionPaths(ClientSessionImpl session, ClientSessionOptions options, List<ClientPath> paths) {
        this.session = session;
        this.options = options;
        this.paths = paths;
        this.nextIndex = paths.size();
    }

    PathInfo add(PathAddress address) throws TransportException, InterruptedException {
        ClientPath path;
        synchronized (this) {
            checkOpen();
            for (ClientPath p : paths) {
                if (p.address.equals(address)) {
                    throw new TransportException(
                            Errno.EEXIST, "session " + session.name() + " already has path " + address);
                }
            }
            if (paths.size() >= RtrsLimits.MAX_PATHS) {
                throw new TransportException(
                        Errno.EINVAL,
                        "session " + session.name() + " has " + paths.size() + " paths, the most a session may have");
            }
            path = new ClientPath(session, nextIndex++, address, options.connectionsPerPath(), paths.isEmpty());
            paths.add(path);
        }
        LOG.info("session {}: adding path {}", session.name(), address);
        path.connect();
        await(() -> path.isConnected() || path.failedAttempts() > 0);
        if (session.state() == SessionState.CLOSED) {
            // closed while the path connected: close may have missed it
            path.close();
            throw new TransportException(Errno.ESHUTDOWN, "session " + session.name() + " is closed");
        }
        if (path.isConnected()) {
            return path.info();
        }
        // as the kernel's add_path: a path that cannot be connected is not kept
        drop(path);
        int errno = path.failedAttempts() > 0 ? session.recovery().lastErrno() : Errno.ETIMEDOUT;
        String why = path.failedAttempts() > 0
                ? session.recovery().lastFailure()
                : "not connected within " + options.connectTimeout().toMillis() + " ms";
        throw new TransportException(errno, "path " + address + " of session " + session.name() + ": " + why);
    }

    void remove(UUID uuid) throws TransportException {
        ClientPath path;
        synchronized (this) {
            checkOpen();
            path = find(uuid);
            if (paths.size() == 1) {
                throw new TransportException(
                        Errno.EBUSY,
                        "path " + path.address + " is the last path of session " + session.name()
                                + "; close the session instead");
            }
        }
        drop(path);
        LOG.info("session {}: path {} removed", session.name(), path.address);
    }

    void disconnect(UUID uuid) throws TransportException {
        ClientPath path;
        synchronized (this) {
            checkOpen();
            path = find(uuid);
            if (path.state() == PathState.CLOSED) {
                throw new TransportException(Errno.EALREADY, "path " + path.address + " is closed already");
            }
        }
        path.close();
        session.recovery().pathClosed(path);
        LOG.info("session {}: path {} disconnected by the operator", session.name(), path.address);
    }

    void reconnect(UUID uuid) throws TransportException, InterruptedException {
        ClientPath path;
        synchronized (this) {
            checkOpen();
            path = find(uuid);
        }
        LOG.info("session {}: reconnecting path {} at the operator's request", session.name(), path.address);
        path.reconnectNow();
        await(path::isConnected);
        if (!path.isConnected()) {
            throw new TransportException(
                    Errno.ENOTCONN,
                    "path " + path.address + " of session " + session.name() + " is not connected after "
                            + options.connectTimeout().toMillis() + " ms; it keeps trying (last failure: "
                            + session.recovery().lastFailure() + ")");
        }
    }

    /** Takes a path out of the list, closes it and moves its IO to the other paths. */
    private void drop(ClientPath path) {
        synchronized (this) {
            paths.remove(path);
        }
        path.close();
        session.recovery().pathClosed(path);
    }

    private ClientPath find(UUID uuid) throws TransportException {
        for (ClientPath p : paths) {
            if (p.uuid.equals(uuid)) {
                return p;
            }
        }
        throw new TransportException(Errno.ENOENT, "session " + session.name() + " has no path " + uuid);
    }

    private void checkOpen() throws TransportException {
        if (session.state() == SessionState.CLOSED) {
            throw new TransportException(Errno.ESHUTDOWN, "session " + session.name() + " is closed");
        }
    }

    private void await(BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + (options.connectTimeout().toMillis() + GRACE_MS) * 1_000_000L;
        while (!done.getAsBoolean() && System.nanoTime() - deadline < 0) {
            Thread.sleep(POLL_MS);
        }
    }
}
