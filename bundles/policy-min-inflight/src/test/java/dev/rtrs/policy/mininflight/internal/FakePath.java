package dev.rtrs.policy.mininflight.internal;

import java.net.InetSocketAddress;

import dev.rtrs.transport.MultipathPolicy.PathView;
import dev.rtrs.transport.PathStatistics;

/** A path whose in-flight count and round-trip time the test sets. */
final class FakePath implements PathView {
    final int index;
    volatile int inflight;
    volatile long latencyNanos = -1;

    FakePath(int index) {
        this.index = index;
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
