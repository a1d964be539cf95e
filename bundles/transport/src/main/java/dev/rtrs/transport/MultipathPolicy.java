package dev.rtrs.transport;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Chooses the path of each IO of a client session. A policy is a service with the
 * {@value #POLICY_NAME} property; sessions select it by that name and fall back to round-robin while it
 * is absent.
 */
@ConsumerType
public interface MultipathPolicy {

    /** Service property with the policy's name, e.g. {@code round-robin}. */
    String POLICY_NAME = "rtrs.policy";

    String name();

    /** A selector for one session (it may keep per-session state, such as a round-robin cursor). */
    PathSelector newSelector();

    /** Chooses among a session's usable paths. */
    @ConsumerType
    @FunctionalInterface
    interface PathSelector {

        /**
         * Called on the submitting thread for each IO; must be fast and thread-safe.
         *
         * @param paths the usable (connected) paths, never empty
         * @return one of {@code paths}
         */
        PathView select(List<? extends PathView> paths);
    }

    /** What a policy may know of a path. */
    @org.osgi.annotation.versioning.ProviderType
    interface PathView {

        /** Stable index of the path within its session. */
        int index();

        /** IOs in flight on the path. */
        int inflight();

        /** Last measured round-trip time in nanoseconds, or -1 when unknown. */
        long latencyNanos();
    }
}
