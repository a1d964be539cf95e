package dev.rtrs.policy.mininflight.internal;

import dev.rtrs.transport.MultipathPolicy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * min-inflight (the kernel's {@code min-inflight}, alias {@code mi}, and the default): each IO on the connected path
 * with the fewest IOs in flight, so that a slow path gets less. Among paths with equally few, the search starts at
 * another path each time, so that an idle session spreads its IO instead of always using the first path.
 */
@Component(property = {MultipathPolicy.NAME + "=" + MinInflightPolicy.NAME, MultipathPolicy.ALIASES + "=mi"})
public final class MinInflightPolicy implements MultipathPolicy {

    static final String NAME = "min-inflight";

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
            int fewest = best.inflight();
            for (int k = 1; k < n && fewest > 0; k++) {
                PathView p = paths.get((first + k) % n);
                int inflight = p.inflight();
                if (inflight < fewest) {
                    best = p;
                    fewest = inflight;
                }
            }
            return best;
        }
    }
}
