package dev.rtrs.transport;

import java.net.InetSocketAddress;
import java.util.UUID;

/**
 * A snapshot of one path.
 *
 * @param uuid        the path's uuid (the kernel's sess_uuid)
 * @param source      local address of the path's connections ({@code null} if not connected yet)
 * @param destination the peer's address
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
