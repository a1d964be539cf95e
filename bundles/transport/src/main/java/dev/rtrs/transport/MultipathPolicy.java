package dev.rtrs.transport;

import java.net.InetSocketAddress;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A multipath policy: chooses which of a client session's connected paths carries each IO, as the kernel's RTRS
 * "next path" functions do.
 *
 * <p><b>Writing one.</b> Implement this interface and register it as an OSGi service with the property
 * {@value #NAME} set to the policy's name (and, optionally, {@value #ALIASES} to other names it answers to); the
 * transport picks up every such service and drops it when it goes, while sessions run. A session names its policy
 * in {@link ClientSessionOptions#policy()} or {@link ClientSession#setPolicy(String)}; while no installed policy has
 * that name the session uses a built-in round-robin and says so in {@link ClientSession#policy()}. With Declarative
 * Services:
 *
 * <pre>{@code
 * @Component(property = {MultipathPolicy.NAME + "=first-path"})
 * public final class FirstPathPolicy implements MultipathPolicy {
 *     public PathSelector newSelector() {
 *         return paths -> paths.get(0);
 *     }
 * }
 * }</pre>
 *
 * <p>The transport calls {@link #newSelector()} once per session that starts using the policy (at open, when the
 * policy is installed or the session switches to it), and then only the selector.
 */
@ConsumerType
public interface MultipathPolicy {

    /** Service property: the policy's name, e.g. {@code min-inflight}. Services without it are ignored. */
    String NAME = "rtrs.policy";

    /** Service property: other names of the policy (a string or an array of strings), e.g. {@code mi}. */
    String ALIASES = "rtrs.policy.aliases";

    /**
     * A selector for one session. It may keep per-session state (a round-robin cursor, weights); it is dropped when
     * the session closes or leaves the policy.
     */
    PathSelector newSelector();

    /**
     * Chooses paths for one session. Called on the threads that submit IO, for every IO and concurrently: an
     * implementation must be thread-safe, must not block, must not allocate in steady state and should not lock
     * (use atomics for shared state).
     */
    @ConsumerType
    @FunctionalInterface
    interface PathSelector {

        /**
         * Chooses the path of the next IO.
         *
         * @param paths the session's connected paths, never empty, ordered by {@link PathView#index()}; read it, do
         *              not keep or change it
         * @return one of {@code paths}
         */
        PathView select(List<? extends PathView> paths);

        /**
         * Chooses where an IO goes when {@code failed} could not take it (the path broke and its IO fails over,
         * or posting on it failed). By default {@link #select} among the others.
         *
         * @param failed the path that failed; not in {@code others}
         * @param others the session's other connected paths, never empty
         * @return one of {@code others}
         */
        default PathView selectAfterFailure(PathView failed, List<? extends PathView> others) {
            return select(others);
        }
    }

    /**
     * What a policy may know of a path. The values are live (read when called), cheap and allocation-free, except
     * {@link #statistics()}.
     */
    @ProviderType
    interface PathView {

        /** Stable index of the path within its session (its position in the session's list of paths). */
        int index();

        /** The server address the path leads to. */
        InetSocketAddress destination();

        /** IOs in flight on the path now. */
        int inflight();

        /**
         * The path's smoothed round-trip time from the heartbeat, in nanoseconds, or -1 when unknown (no heartbeat
         * monitor installed, or not measured yet).
         */
        long latencyNanos();

        /** A snapshot of the path's counters; allocates, so not for every IO. */
        PathStatistics statistics();
    }
}
