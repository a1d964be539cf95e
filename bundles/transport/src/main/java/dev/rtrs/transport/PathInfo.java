package dev.rtrs.transport;

import java.net.InetSocketAddress;
import java.util.UUID;

/**
 * A snapshot of one path.
 *
 * @param uuid        the path's uuid (the kernel's sess_uuid)
 * @param source      the client's address: on a client the local one ({@code null} if not connected yet), on a
 *                    server the peer's, as the kernel names a path {@code src@dst} on both sides
 * @param destination the server's address: on a client the peer's, on a server the local one
 * @param state       state at the time of the snapshot
 * @param connections connections of the path
 * @param statistics  counters
 * @param roundTripNanos the smoothed round-trip time the heartbeat measured, or -1 when unknown (no heartbeat
 *                    monitor, or not measured yet)
 */
public record PathInfo(
        UUID uuid,
        InetSocketAddress source,
        InetSocketAddress destination,
        PathState state,
        int connections,
        PathStatistics statistics,
        long roundTripNanos) {

    /** {@code src@dst}, the kernel's path name. */
    public String name() {
        return (source == null ? "*" : source.getAddress().getHostAddress()) + "@"
                + destination.getAddress().getHostAddress();
    }
}
