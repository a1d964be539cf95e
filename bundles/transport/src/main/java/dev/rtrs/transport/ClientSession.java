package dev.rtrs.transport;

import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An open client session. IO goes: {@link #acquirePermit()}, {@link #submit}, wait for the callback,
 * {@link #releasePermit}. A session never has more IOs in flight than the server granted chunks.
 */
@ProviderType
public interface ClientSession extends AutoCloseable {

    String name();

    UUID uuid();

    SessionState state();

    /** Chunks the server granted: the most IOs in flight. */
    int queueDepth();

    /** Largest data length of one IO. */
    int maxIoSize();

    /** Largest user header of one IO. */
    int maxHeaderSize();

    /**
     * The multipath policy in use: the configured one, or, while no installed policy has that name, the built-in
     * fallback and why (e.g. {@code round-robin (fallback: min-latency is not installed)}).
     */
    String policy();

    /**
     * Switches the session to another multipath policy, named by its name or an alias, while IO runs: IO submitted
     * afterwards is placed by it. Non-blocking. A name no installed policy has is accepted: the session uses the
     * built-in fallback until such a policy is installed.
     *
     * @throws IllegalArgumentException for a blank name
     */
    void setPolicy(String name);

    /**
     * Takes a permit, waiting for one if all are in use. Waiting callers are served in order.
     *
     * @throws TransportException {@code ESHUTDOWN} when the session is or gets closed while waiting
     */
    Permit acquirePermit() throws InterruptedException, TransportException;

    /** As {@link #acquirePermit()}, waiting at most the given time; {@code null} on timeout. */
    Permit acquirePermit(long timeout, TimeUnit unit) throws InterruptedException, TransportException;

    /** Takes a permit if one is free right now, else returns {@code null}. Non-blocking. */
    Permit tryAcquirePermit() throws TransportException;

    /** Gives a permit back; the next waiting caller gets it. */
    void releasePermit(Permit permit);

    /**
     * Submits one IO. Non-blocking; {@code callback} runs once, on a transport thread.
     *
     * @param permit     a permit of this session with no IO in flight
     * @param direction  READ: the server fills {@code data}; WRITE: {@code data} goes to the server
     * @param userHeader bytes from position to limit travel to the server's request handler (at most
     *                   {@link #maxHeaderSize()})
     * @param data       buffers from their positions to their limits (a scatter list; may be empty); their
     *                   total at most {@link #maxIoSize()}. For a READ they are filled in order.
     *                   Buffers must not be touched until the callback ran.
     * @throws TransportException {@code EINVAL} for a bad permit or sizes, {@code ESHUTDOWN} once closed;
     *                            the callback is not called then
     */
    void submit(Permit permit, Direction direction, ByteBuffer userHeader, ByteBuffer[] data, IoCallback callback)
            throws TransportException;

    /** A snapshot of the session's paths with their state and statistics. */
    List<PathInfo> paths();

    /** Sets every path's counters back to zero. */
    void resetStatistics();

    /** Reconnect attempts a lost path makes before it is given up; -1 for no limit. */
    default int maxReconnectAttempts() {
        return -1;
    }

    /**
     * Sets the reconnect attempts of every path, as the kernel's {@code max_reconnect_attempts}: paths reconnecting
     * now count their failed attempts against the new limit. Non-blocking.
     *
     * @param attempts -1 for no limit, or 0 to {@link RtrsLimits#MAX_RECONNECT_ATTEMPTS}
     * @throws TransportException {@code EINVAL} for a value out of range, {@code EOPNOTSUPP} where the session cannot
     *                            change it
     */
    default void setMaxReconnectAttempts(int attempts) throws TransportException {
        throw new TransportException(Errno.EOPNOTSUPP, "session " + name() + " cannot change its reconnect attempts");
    }

    /**
     * Adds a path and connects it, as the kernel's {@code add_path}. Blocks until the path is connected or its first
     * attempt failed (at most the session's connect timeout); a path that could not be connected is removed again.
     * Called by an operator's thread, never a transport thread.
     *
     * @return the connected path
     * @throws TransportException {@code EEXIST} for a path the session has, {@code EINVAL} beyond
     *                            {@link RtrsLimits#MAX_PATHS} paths, {@code ESHUTDOWN} once closed, or the errno of
     *                            the failed connect; {@code EOPNOTSUPP} where the session cannot add paths
     */
    default PathInfo addPath(PathAddress address) throws TransportException, InterruptedException {
        throw new TransportException(Errno.EOPNOTSUPP, "session " + name() + " cannot add paths");
    }

    /**
     * Closes a path and removes it from the session, as the kernel's {@code remove_path}; its IO in flight fails over
     * to the other paths. Blocks for the teardown.
     *
     * @throws TransportException {@code ENOENT} for no such path, {@code EBUSY} for the session's last path,
     *                            {@code EOPNOTSUPP} where the session cannot remove paths
     */
    default void removePath(UUID path) throws TransportException {
        throw new TransportException(Errno.EOPNOTSUPP, "session " + name() + " cannot remove paths");
    }

    /**
     * Closes a path's connections and keeps it closed until {@link #reconnectPath}, as the kernel's per-path
     * {@code disconnect}; its IO in flight fails over to the other paths. Blocks for the teardown.
     *
     * @throws TransportException {@code ENOENT} for no such path, {@code EALREADY} for a path that is closed already,
     *                            {@code EOPNOTSUPP} where the session cannot disconnect paths
     */
    default void disconnectPath(UUID path) throws TransportException {
        throw new TransportException(Errno.EOPNOTSUPP, "session " + name() + " cannot disconnect paths");
    }

    /**
     * Connects a path again now, as the kernel's per-path {@code reconnect}: a connected path is torn down first (its
     * IO fails over), a closed or given-up one starts over with a fresh count of attempts. Blocks until the path is
     * connected or the session's connect timeout passed. Called by an operator's thread, never a transport thread.
     *
     * @throws TransportException {@code ENOENT} for no such path, {@code ENOTCONN} when it is not connected in time
     *                            (it keeps trying), {@code EOPNOTSUPP} where the session cannot reconnect paths
     */
    default void reconnectPath(UUID path) throws TransportException, InterruptedException {
        throw new TransportException(Errno.EOPNOTSUPP, "session " + name() + " cannot reconnect paths");
    }

    /**
     * Closes every path. IOs in flight and callers waiting for a permit fail with {@code ESHUTDOWN}.
     * Blocks until the connections are torn down (bounded by a few seconds).
     */
    @Override
    void close();
}
