package dev.rtrs.block.client.internal;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.IoCallback;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.SessionState;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A connected client session of one path with {@code queueDepth} permits. It keeps what is submitted for the test
 * to complete, or, {@link #completeInline}, completes each IO with success inside its submit and keeps nothing:
 * then it allocates nothing per IO. It checks the transport's rules: a held permit with no IO in flight.
 */
final class FakeClientSession implements ClientSession {

    /** One submitted IO: its header bytes as submitted, and the data list as given. */
    record Submitted(Permit permit, Direction direction, byte[] header, ByteBuffer[] data, IoCallback callback) {}

    final List<Submitted> submitted = new ArrayList<>();
    /** Complete each IO with 0 inside its submit, keeping nothing. */
    boolean completeInline;

    private final int maxIoSize;
    private final FakePermit[] permits;
    private final PathInfo path = new PathInfo(
            UUID.randomUUID(),
            new InetSocketAddress("127.0.0.1", 40000),
            new InetSocketAddress("127.0.0.1", 1234),
            PathState.CONNECTED,
            1,
            new PathStatistics(0, 0, 0, 0, 0, 0, 0, 0),
            -1);

    FakeClientSession(int queueDepth, int maxIoSize) {
        this.maxIoSize = maxIoSize;
        this.permits = new FakePermit[queueDepth];
        for (int i = 0; i < queueDepth; i++) {
            permits[i] = new FakePermit(i);
        }
    }

    /** Completes the {@code index}th submitted IO. */
    void complete(int index, int errno) {
        Submitted s = submitted.get(index);
        FakePermit p = (FakePermit) s.permit();
        if (!p.inFlight) {
            throw new IllegalStateException("IO " + index + " completed twice");
        }
        p.inFlight = false;
        s.callback().onComplete(errno);
    }

    /** Permits taken and not given back. */
    int held() {
        int n = 0;
        for (FakePermit p : permits) {
            n += p.held ? 1 : 0;
        }
        return n;
    }

    @Override
    public Permit tryAcquirePermit() {
        for (FakePermit p : permits) {
            if (!p.held) {
                p.held = true;
                return p;
            }
        }
        return null;
    }

    @Override
    public void releasePermit(Permit permit) {
        FakePermit p = (FakePermit) permit;
        if (!p.held || p.inFlight) {
            throw new IllegalStateException(permit + " is not held or still has an IO in flight");
        }
        p.held = false;
    }

    @Override
    public void submit(
            Permit permit, Direction direction, ByteBuffer userHeader, ByteBuffer[] data, IoCallback callback) {
        FakePermit p = (FakePermit) permit;
        if (!p.held || p.inFlight) {
            throw new IllegalStateException(permit + " is not held or already has an IO in flight");
        }
        if (completeInline) {
            callback.onComplete(0);
            return;
        }
        p.inFlight = true;
        byte[] header = new byte[userHeader.remaining()];
        userHeader.get(userHeader.position(), header);
        submitted.add(new Submitted(permit, direction, header, data.clone(), callback));
    }

    private static final class FakePermit implements Permit {
        private final int id;
        private final ByteBuffer userArea = ByteBuffer.allocate(0);
        boolean held;
        boolean inFlight;

        FakePermit(int id) {
            this.id = id;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public ByteBuffer userArea() {
            return userArea;
        }

        @Override
        public String toString() {
            return "permit " + id;
        }
    }

    // ---- the rest of the session ----

    @Override
    public String name() {
        return "s1";
    }

    @Override
    public UUID uuid() {
        return path.uuid();
    }

    @Override
    public SessionState state() {
        return SessionState.CONNECTED;
    }

    @Override
    public int queueDepth() {
        return permits.length;
    }

    @Override
    public int maxIoSize() {
        return maxIoSize;
    }

    @Override
    public int maxHeaderSize() {
        return 64;
    }

    @Override
    public String policy() {
        return "min-inflight";
    }

    @Override
    public void setPolicy(String name) {}

    @Override
    public Permit acquirePermit() {
        return tryAcquirePermit();
    }

    @Override
    public Permit acquirePermit(long timeout, TimeUnit unit) {
        return tryAcquirePermit();
    }

    @Override
    public List<PathInfo> paths() {
        return List.of(path);
    }

    @Override
    public void resetStatistics() {}

    @Override
    public void close() {}
}
