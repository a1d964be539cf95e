package dev.rtrs.transport.core.internal.jmx;

import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;
import java.beans.ConstructorProperties;

/** One path and its counters as JMX shows them. */
public final class PathData {

    private final String name;
    private final String state;
    private final int connections;
    private final long readCount;
    private final long readBytes;
    private final long writeCount;
    private final long writeBytes;
    private final int inflight;
    private final long failedOver;
    private final long reconnectsSuccessful;
    private final long reconnectsFailed;
    private final long roundTripMicros;

    @ConstructorProperties({
        "name",
        "state",
        "connections",
        "readCount",
        "readBytes",
        "writeCount",
        "writeBytes",
        "inflight",
        "failedOver",
        "reconnectsSuccessful",
        "reconnectsFailed",
        "roundTripMicros"
    })
    public PathData(
            String name,
            String state,
            int connections,
            long readCount,
            long readBytes,
            long writeCount,
            long writeBytes,
            int inflight,
            long failedOver,
            long reconnectsSuccessful,
            long reconnectsFailed,
            long roundTripMicros) {
        this.name = name;
        this.state = state;
        this.connections = connections;
        this.readCount = readCount;
        this.readBytes = readBytes;
        this.writeCount = writeCount;
        this.writeBytes = writeBytes;
        this.inflight = inflight;
        this.failedOver = failedOver;
        this.reconnectsSuccessful = reconnectsSuccessful;
        this.reconnectsFailed = reconnectsFailed;
        this.roundTripMicros = roundTripMicros;
    }

    static PathData of(PathInfo p) {
        PathStatistics s = p.statistics();
        return new PathData(
                p.name(),
                p.state().name(),
                p.connections(),
                s.readCount(),
                s.readBytes(),
                s.writeCount(),
                s.writeBytes(),
                s.inflight(),
                s.failedOver(),
                s.reconnectsSuccessful(),
                s.reconnectsFailed(),
                p.roundTripNanos() < 0 ? -1 : p.roundTripNanos() / 1000);
    }

    public String getName() {
        return name;
    }

    public String getState() {
        return state;
    }

    public int getConnections() {
        return connections;
    }

    public long getReadCount() {
        return readCount;
    }

    public long getReadBytes() {
        return readBytes;
    }

    public long getWriteCount() {
        return writeCount;
    }

    public long getWriteBytes() {
        return writeBytes;
    }

    public int getInflight() {
        return inflight;
    }

    public long getFailedOver() {
        return failedOver;
    }

    public long getReconnectsSuccessful() {
        return reconnectsSuccessful;
    }

    public long getReconnectsFailed() {
        return reconnectsFailed;
    }

    /** The heartbeat's smoothed round-trip time in microseconds, or -1 when unknown. */
    public long getRoundTripMicros() {
        return roundTripMicros;
    }
}
