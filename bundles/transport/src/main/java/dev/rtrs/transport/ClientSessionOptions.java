package dev.rtrs.transport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a client session is opened with. Build with {@link #builder(String)}.
 *
 * @param sessionName          name the server knows the session by (at most 255 bytes of UTF-8)
 * @param paths                1 to 128 paths
 * @param connectionsPerPath   connections of each path, the first being the service connection
 * @param reconnectDelay       pause between reconnect attempts of a path
 * @param maxReconnectAttempts attempts before a path is given up; -1 for no limit
 * @param policy               name of the multipath policy
 * @param permitUserAreaSize   bytes of the per-permit user area
 * @param connectTimeout       how long connecting one path may take
 * @param provider             the verbs provider, e.g. {@code tcp}
 */
public record ClientSessionOptions(
        String sessionName,
        List<PathAddress> paths,
        int connectionsPerPath,
        Duration reconnectDelay,
        int maxReconnectAttempts,
        String policy,
        int permitUserAreaSize,
        Duration connectTimeout,
        String provider) {

    public static final String DEFAULT_POLICY = "min-inflight";
    public static final String DEFAULT_PROVIDER = "tcp";

    public ClientSessionOptions {
        Objects.requireNonNull(sessionName, "sessionName");
        int nameBytes = sessionName.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes == 0 || nameBytes > RtrsLimits.MAX_SESSION_NAME || sessionName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("session name must be 1 to " + RtrsLimits.MAX_SESSION_NAME
                    + " bytes without NUL: '" + sessionName + "'");
        }
        paths = List.copyOf(paths);
        if (paths.isEmpty() || paths.size() > RtrsLimits.MAX_PATHS) {
            throw new IllegalArgumentException(
                    "a session has 1 to " + RtrsLimits.MAX_PATHS + " paths, not " + paths.size());
        }
        if (connectionsPerPath < 1 || connectionsPerPath > 0xFFFF) {
            throw new IllegalArgumentException("connectionsPerPath must be 1..65535: " + connectionsPerPath);
        }
        if (reconnectDelay.isNegative() || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("reconnectDelay must be >= 0 and connectTimeout > 0");
        }
        if (maxReconnectAttempts < -1) {
            throw new IllegalArgumentException("maxReconnectAttempts must be -1 (no limit) or >= 0");
        }
        if (permitUserAreaSize < 0) {
            throw new IllegalArgumentException("permitUserAreaSize must be >= 0");
        }
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(provider, "provider");
    }

    public static Builder builder(String sessionName) {
        return new Builder(sessionName);
    }

    /** Default connections per path: one per CPU plus the service connection, as the kernel does. */
    public static int defaultConnectionsPerPath() {
        return Runtime.getRuntime().availableProcessors() + 1;
    }

    /** Builder with the kernel's defaults. */
    public static final class Builder {
        private final String sessionName;
        private List<PathAddress> paths = List.of();
        private int connectionsPerPath = defaultConnectionsPerPath();
        private Duration reconnectDelay = Duration.ofSeconds(5);
        private int maxReconnectAttempts = -1;
        private String policy = DEFAULT_POLICY;
        private int permitUserAreaSize;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private String provider = DEFAULT_PROVIDER;

        private Builder(String sessionName) {
            this.sessionName = sessionName;
        }

        public Builder paths(List<PathAddress> value) {
            this.paths = value;
            return this;
        }

        public Builder paths(PathAddress... value) {
            this.paths = List.of(value);
            return this;
        }

        public Builder connectionsPerPath(int value) {
            this.connectionsPerPath = value;
            return this;
        }

        public Builder reconnectDelay(Duration value) {
            this.reconnectDelay = value;
            return this;
        }

        public Builder maxReconnectAttempts(int value) {
            this.maxReconnectAttempts = value;
            return this;
        }

        public Builder policy(String value) {
            this.policy = value;
            return this;
        }

        public Builder permitUserAreaSize(int value) {
            this.permitUserAreaSize = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        public Builder provider(String value) {
            this.provider = value;
            return this;
        }

        public ClientSessionOptions build() {
            return new ClientSessionOptions(
                    sessionName,
                    paths,
                    connectionsPerPath,
                    reconnectDelay,
                    maxReconnectAttempts,
                    policy,
                    permitUserAreaSize,
                    connectTimeout,
                    provider);
        }
    }
}
