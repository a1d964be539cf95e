package dev.rtrs.transport.core.internal.policy;

import dev.rtrs.transport.MultipathPolicy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The built-in policy a session falls back to while its configured policy is not installed. */
public final class RoundRobinSelector implements MultipathPolicy.PathSelector {

    public static final String NAME = "round-robin";

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public MultipathPolicy.PathView select(List<? extends MultipathPolicy.PathView> paths) {
        return paths.get(Math.floorMod(next.getAndIncrement(), paths.size()));
    }
}
