package dev.rtrs.policy.mininflight.internal;

import dev.rtrs.transport.MultipathPolicy;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * min-inflight (the kernel's {@code min-inflight}, alias {@code mi}, and the default): each IO on the connected path
 * with the fewest IOs in flight, so that a slow path gets less. Among paths with equally few the first in the
 * session's order wins, as in the kernel: an idle session keeps to one path, whose threads stay warm, and a busy one
 * spreads its IO by the counts.
 */
@Component(property = {MultipathPolicy.NAME + "=" + MinInflightPolicy.NAME, MultipathPolicy.ALIASES + "=mi"})
public final class MinInflightPolicy implements MultipathPolicy {

    static final String NAME = "min-inflight";

    @Override
    public PathSelector newSelector() {
        return new Selector();
    }

    static final class Selector implements PathSelector {

        @Override
        public PathView select(List<? extends PathView> paths) {
            PathView best = paths.get(0);
            int fewest = best.inflight();
            for (int k = 1; k < paths.size() && fewest > 0; k++) {
                PathView p = paths.get(k);
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
