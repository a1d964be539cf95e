package dev.rtrs.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The liveness monitor of paths, as the kernel's RTRS heartbeat: every connected path, client and server side, is
 * handed to it while it is connected. The monitor sends a heartbeat on a path that has been quiet for an interval,
 * counts the intervals in which nothing arrived, declares the path dead when they exceed its limit, and measures the
 * path's round-trip time from heartbeat acknowledgements.
 *
 * <p>A service; the transport uses the highest ranked one and runs its paths without liveness detection while none
 * is installed. Answering a peer's heartbeat is the transport's own job, so replacing the monitor never makes a
 * peer see a silent path.
 */
@ConsumerType
public interface Heartbeat {

    /**
     * Starts watching a connected path. Called by the transport on its own threads, never with a lock held;
     * must not block.
     */
    void watch(HeartbeatPath path);

    /** Stops watching a path (it closed, or this monitor is being replaced). Must not block. */
    void unwatch(HeartbeatPath path);
}
