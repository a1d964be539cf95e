package dev.rtrs.transport;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What a {@link Heartbeat} monitor sees of and does with one connected path. Times are {@link System#nanoTime()}
 * values. Every method is non-blocking and may be called from any thread.
 */
@ProviderType
public interface HeartbeatPath {

    /** The path for log lines, e.g. {@code session demo path 127.0.0.1:1234}. */
    String describe();

    /** When the path last received anything from its peer (an IO, a response, a heartbeat or its acknowledgement). */
    long lastReceiveNanos();

    /** When the path last sent anything to its peer. */
    long lastSendNanos();

    /**
     * Posts HB_MSG, an empty RDMA write with immediate data, on the path's first connection; the peer answers with
     * HB_ACK.
     *
     * @return false when the path cannot send now (it is closing, or its send queue is full)
     */
    boolean sendHeartbeat();

    /** When the path last received HB_ACK, or 0 if it never did. */
    long lastHeartbeatAckNanos();

    /** Records the path's smoothed round-trip time, which multipath policies read. */
    void roundTripNanos(long smoothed);

    /**
     * Declares the path dead: the transport closes it, moves its in-flight IO to a healthy path and, on the client,
     * reconnects it. Called at most once per watch; the path is unwatched afterwards.
     */
    void dead(String reason);
}
