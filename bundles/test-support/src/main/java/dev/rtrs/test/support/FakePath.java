package dev.rtrs.test.support;

import dev.rtrs.transport.MultipathPolicy.PathView;
import dev.rtrs.transport.PathStatistics;
import java.net.InetSocketAddress;

/** A path for multipath policy tests: the test sets its IOs in flight and its round-trip time. */
public final class FakePath implements PathView {

    private final int index;
    private volatile int inflight;
    private volatile long latencyNanos = -1;

    /** A path at {@code index} with nothing in flight and no round-trip time measured. */
    public FakePath(int index) {
        this.index = index;
    }

    /** Sets the IOs in flight on the path. */
    public FakePath inflight(int inflight) {
        this.inflight = inflight;
        return this;
    }

    /** Sets the round-trip time in nanoseconds; -1 is "not measured". */
    public FakePath latencyNanos(long latencyNanos) {
        this.latencyNanos = latencyNanos;
        return this;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public InetSocketAddress destination() {
        return new InetSocketAddress("127.0.0." + (index + 1), 1234);
    }

    @Override
    public int inflight() {
        return inflight;
    }

    @Override
    public long latencyNanos() {
        return latencyNanos;
    }

    @Override
    public PathStatistics statistics() {
        return new PathStatistics(0, 0, 0, 0, inflight, 0, 0, 0);
    }
}
