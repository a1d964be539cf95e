package dev.rtrs.transport.core.internal.conn;

import dev.rtrs.transport.HeartbeatPath;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.ImmType;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import java.util.function.BiConsumer;

/**
 * What the heartbeat monitor sees of one connected incarnation of a path (client or server side): the traffic of
 * its connections, HB_MSG on its first connection, and the verdict. A reconnected path gets a new one, so that a
 * late verdict about the old incarnation cannot touch the new.
 */
public final class PathLiveness implements HeartbeatPath {

    private final String description;
    private final Connection[] connections;
    private final BiConsumer<PathLiveness, String> onDead;
    private volatile long lastAckNanos;
    private volatile long roundTripNanos = -1;

    /**
     * @param connections the incarnation's connections (the array is read, never changed)
     * @param onDead      called with the reason on the monitor's thread, with no lock held, when the path is declared
     *                    dead
     */
    private final SendWorkRequest heartbeat = new SendWorkRequest(0);

    public PathLiveness(String description, Connection[] connections, BiConsumer<PathLiveness, String> onDead) {
        this.description = description;
        this.connections = connections;
        this.onDead = onDead;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public long lastReceiveNanos() {
        return latest(true);
    }

    @Override
    public long lastSendNanos() {
        return latest(false);
    }

    /** The latest receive or post time over the connections; nanoTime values compare by their difference. */
    private long latest(boolean receive) {
        boolean any = false;
        long latest = 0;
        for (Connection c : connections) {
            if (c == null) {
                continue;
            }
            long t = receive ? c.lastReceiveNanos() : c.lastPostNanos();
            if (!any || t - latest > 0) {
                latest = t;
                any = true;
            }
        }
        return latest;
    }

    @Override
    public boolean sendHeartbeat() {
        Connection c = connections[0];
        // the monitor calls this from one thread; a quiet path has room in its send queue
        return c != null
                && c.postIfRoom(heartbeat
                        .reset(WrIds.of(WrIds.HEARTBEAT, 0), SendOpcode.RDMA_WRITE_WITH_IMM)
                        .immediate(Imm.encode(ImmType.HB_MSG, 0)));
    }

    /** The peer answered a heartbeat. Called on a completion thread. */
    public void acknowledged() {
        lastAckNanos = System.nanoTime();
    }

    @Override
    public long lastHeartbeatAckNanos() {
        return lastAckNanos;
    }

    @Override
    public void roundTripNanos(long smoothed) {
        roundTripNanos = smoothed;
    }

    /** The smoothed round-trip time the monitor measured, or -1 before the first measurement. */
    public long roundTripNanos() {
        return roundTripNanos;
    }

    @Override
    public void dead(String reason) {
        onDead.accept(this, reason);
    }

    @Override
    public String toString() {
        return description;
    }
}
