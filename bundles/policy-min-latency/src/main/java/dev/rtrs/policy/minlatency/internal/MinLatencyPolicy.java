package dev.rtrs.policy.minlatency.internal;

import dev.rtrs.transport.MultipathPolicy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * min-latency (the kernel's {@code min-latency}, alias {@code ml}): each IO on the connected path with the lowest
 * round-trip time the heartbeat measured; among paths with the same round-trip time (or none measured yet), the one
 * with the fewest IOs in flight, the search starting at another path each time. A path without a measurement counts
 * as slower than any measured one.
 */
@Component(property = {MultipathPolicy.NAME + "=" + MinLatencyPolicy.NAME, MultipathPolicy.ALIASES + "=ml"})
public final class MinLatencyPolicy implements MultipathPolicy {

    static final String NAME = "min-latency";

    @Override
    public PathSelector newSelector() {
        return new Selector();
    }

    static final class Selector implements PathSelector {
        private final AtomicInteger start = new AtomicInteger();

        @Override
        public PathView select(List<? extends PathView> paths) {
            int n = paths.size();
            int first = Math.floorMod(start.getAndIncrement(), n);
            PathView best = paths.get(first);
            long bestLatency = latency(best);
            int bestInflight = best.inflight();
            for (int k = 1; k < n; k++) {
                PathView p = paths.get((first + k) % n);
                long latency = latency(p);
                if (latency > bestLatency) {
                    continue;
                }
                int inflight = p.inflight();
                if (latency < bestLatency || inflight < bestInflight) {
                    best = p;
                    bestLatency = latency;
                    bestInflight = inflight;
                }
            }
            return best;
        }

        private static long latency(PathView p) {
            long l = p.latencyNanos();
            return l < 0 ? Long.MAX_VALUE : l;
        }
    }
}
