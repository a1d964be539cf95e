package dev.rtrs.policy.roundrobin.internal;

import dev.rtrs.transport.MultipathPolicy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/** round-robin (the kernel's {@code round-robin}, alias {@code rr}): each IO on the next connected path in turn. */
@Component(property = {MultipathPolicy.NAME + "=" + RoundRobinPolicy.NAME, MultipathPolicy.ALIASES + "=rr"})
public final class RoundRobinPolicy implements MultipathPolicy {

    static final String NAME = "round-robin";

    @Override
    public PathSelector newSelector() {
        return new Selector();
    }

    /** A cursor per session; the list of connected paths may change between calls, hence the modulo. */
    static final class Selector implements PathSelector {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public PathView select(List<? extends PathView> paths) {
            return paths.get(Math.floorMod(next.getAndIncrement(), paths.size()));
        }
    }
}
