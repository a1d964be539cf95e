package dev.rtrs.transport;

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

    /**
     * Closes every path. IOs in flight and callers waiting for a permit fail with {@code ESHUTDOWN}.
     * Blocks until the connections are torn down (bounded by a few seconds).
     */
    @Override
    void close();
}
