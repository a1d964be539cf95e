package dev.rtrs.jmx.internal;

import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;
import java.net.InetSocketAddress;
import javax.management.ConstructorParameters;

/** One path of a server session as an MXBean's composite data: its state and counters. */
public final class PathData {

    private final String uuid;
    private final String name;
    private final String source;
    private final String destination;
    private final String state;
    private final int connections;
    private final long roundTripMicros;
    private final long reads;
    private final long readBytes;
    private final long writes;
    private final long writeBytes;
    private final int inflight;

    @ConstructorParameters({
        "uuid",
        "name",
        "source",
        "destination",
        "state",
        "connections",
        "roundTripMicros",
        "reads",
        "readBytes",
        "writes",
        "writeBytes",
        "inflight"
    })
    public PathData(
            String uuid,
            String name,
            String source,
            String destination,
            String state,
            int connections,
            long roundTripMicros,
            long reads,
            long readBytes,
            long writes,
            long writeBytes,
            int inflight) {
        this.uuid = uuid;
        this.name = name;
        this.source = source;
        this.destination = destination;
        this.state = state;
        this.connections = connections;
        this.roundTripMicros = roundTripMicros;
        this.reads = reads;
        this.readBytes = readBytes;
        this.writes = writes;
        this.writeBytes = writeBytes;
        this.inflight = inflight;
    }

    static PathData of(PathInfo p) {
        PathStatistics s = p.statistics();
        return new PathData(
                p.uuid().toString(),
                p.name(),
                address(p.source()),
                address(p.destination()),
                p.state().name(),
                p.connections(),
                roundTripMicros(p),
                s.readCount(),
                s.readBytes(),
                s.writeCount(),
                s.writeBytes(),
                s.inflight());
    }

    /** {@code host:port}, or the empty string for none (an open type has no null). */
    static String address(InetSocketAddress a) {
        return a == null ? "" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** The heartbeat's round-trip time in microseconds, -1 while unknown. */
    static long roundTripMicros(PathInfo p) {
        return p.roundTripNanos() < 0 ? -1 : p.roundTripNanos() / 1000;
    }

    public String getUuid() {
        return uuid;
    }

    public String getName() {
        return name;
    }

    /** Local address of the path's connections; empty while not connected. */
    public String getSource() {
        return source;
    }

    public String getDestination() {
        return destination;
    }

    public String getState() {
        return state;
    }

    public int getConnections() {
        return connections;
    }

    public long getRoundTripMicros() {
        return roundTripMicros;
    }

    public long getReads() {
        return reads;
    }

    public long getReadBytes() {
        return readBytes;
    }

    public long getWrites() {
        return writes;
    }

    public long getWriteBytes() {
        return writeBytes;
    }

    public int getInflight() {
        return inflight;
    }
}
