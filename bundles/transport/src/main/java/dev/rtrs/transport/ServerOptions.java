package dev.rtrs.transport;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a server listens with, and the limits that keep what a peer can make it hold bounded.
 *
 * @param addresses             local addresses to listen on (at least one; a wildcard address listens on all)
 * @param port                  port, {@value RtrsLimits#DEFAULT_PORT} by default; 0 picks a free one
 * @param queueDepth            chunks per session, 1 to 65535
 * @param chunkSize             bytes per chunk: a power of two, at least {@value RtrsLimits#MIN_CHUNK_SIZE}; also
 *                              the largest IO (data, user header and message together)
 * @param alwaysInvalidate      invalidate each chunk's rkey before its data is used and hand out a fresh one
 *                              afterwards. On by default; off is about 20% faster but lets a malicious client
 *                              write into chunks it does not own at the moment.
 * @param provider              the verbs provider, e.g. {@code tcp}
 * @param maxSessions           sessions the server holds at once
 * @param maxPaths              connected paths the server holds at once, over all sessions; each has chunk memory
 *                              of its own, {@code queueDepth x chunkSize} bytes, once its handshake is complete, so
 *                              this bounds the server's chunk memory
 * @param maxPathsPerSession    paths one session may have at once, 1 to {@value RtrsLimits#MAX_PATHS} (the kernel's
 *                              limit and the default)
 * @param maxConnectionsPerPath connections one path may ask for (the kernel's clients ask for one per CPU, plus one)
 * @param maxConnectingPaths    paths in their handshake at once, over all sessions (a new one closes the oldest):
 *                              bounds what half-open
 *                              handshakes can hold
 * @param handshakeTimeout      how long a path may take from its first connection to its INFO exchange before it
 *                              is closed (the kernel's 30 s)
 */
public record ServerOptions(
        List<InetAddress> addresses,
        int port,
        int queueDepth,
        int chunkSize,
        boolean alwaysInvalidate,
        String provider,
        int maxSessions,
        int maxPaths,
        int maxPathsPerSession,
        int maxConnectionsPerPath,
        int maxConnectingPaths,
        Duration handshakeTimeout) {

    public static final int DEFAULT_MAX_SESSIONS = 256;
    public static final int DEFAULT_MAX_PATHS = 512;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_PATH = 128;
    public static final int DEFAULT_MAX_CONNECTING_PATHS = 64;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

    public ServerOptions {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("a server listens on at least one address");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (queueDepth < 1 || queueDepth > RtrsLimits.MAX_QUEUE_DEPTH) {
            throw new IllegalArgumentException(
                    "queueDepth must be 1.." + RtrsLimits.MAX_QUEUE_DEPTH + ": " + queueDepth);
        }
        if (chunkSize < RtrsLimits.MIN_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException(
                    "chunkSize must be a power of two >= " + RtrsLimits.MIN_CHUNK_SIZE + ": " + chunkSize);
        }
        Objects.requireNonNull(provider, "provider");
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be at least 1: " + maxSessions);
        }
        if (maxPaths < 1) {
            throw new IllegalArgumentException("maxPaths must be at least 1: " + maxPaths);
        }
        if (maxPathsPerSession < 1 || maxPathsPerSession > RtrsLimits.MAX_PATHS) {
            throw new IllegalArgumentException(
                    "maxPathsPerSession must be 1.." + RtrsLimits.MAX_PATHS + ": " + maxPathsPerSession);
        }
        if (maxConnectionsPerPath < 1 || maxConnectionsPerPath > 0xFFFF) {
            throw new IllegalArgumentException("maxConnectionsPerPath must be 1..65535: " + maxConnectionsPerPath);
        }
        if (maxConnectingPaths < 1) {
            throw new IllegalArgumentException("maxConnectingPaths must be at least 1: " + maxConnectingPaths);
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive: " + handshakeTimeout);
        }
    }

    /** The options of version 3.0, without {@code maxPaths} and {@code maxPathsPerSession}: they take their defaults. */
    public ServerOptions(
            List<InetAddress> addresses,
            int port,
            int queueDepth,
            int chunkSize,
            boolean alwaysInvalidate,
            String provider,
            int maxSessions,
            int maxConnectionsPerPath,
            int maxConnectingPaths,
            Duration handshakeTimeout) {
        this(
                addresses,
                port,
                queueDepth,
                chunkSize,
                alwaysInvalidate,
                provider,
                maxSessions,
                DEFAULT_MAX_PATHS,
                RtrsLimits.MAX_PATHS,
                maxConnectionsPerPath,
                maxConnectingPaths,
                handshakeTimeout);
    }

    /** Listens on {@code addresses} with the kernel's defaults. */
    public static ServerOptions defaults(InetAddress... addresses) {
        return builder(addresses).build();
    }

    /** Options for a server on {@code addresses}; what is not set keeps the kernel's default. */
    public static Builder builder(InetAddress... addresses) {
        return new Builder(List.of(addresses));
    }

    /** Options for a server on {@code addresses}; what is not set keeps the kernel's default. */
    public static Builder builder(List<InetAddress> addresses) {
        return new Builder(addresses);
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(addresses)
                .port(port)
                .queueDepth(queueDepth)
                .chunkSize(chunkSize)
                .alwaysInvalidate(alwaysInvalidate)
                .provider(provider)
                .maxSessions(maxSessions)
                .maxPaths(maxPaths)
                .maxPathsPerSession(maxPathsPerSession)
                .maxConnectionsPerPath(maxConnectionsPerPath)
                .maxConnectingPaths(maxConnectingPaths)
                .handshakeTimeout(handshakeTimeout);
    }

    public ServerOptions withPort(int value) {
        return toBuilder().port(value).build();
    }

    public ServerOptions withQueueDepth(int value) {
        return toBuilder().queueDepth(value).build();
    }

    public ServerOptions withChunkSize(int value) {
        return toBuilder().chunkSize(value).build();
    }

    public ServerOptions withAlwaysInvalidate(boolean value) {
        return toBuilder().alwaysInvalidate(value).build();
    }

    public ServerOptions withProvider(String value) {
        return toBuilder().provider(value).build();
    }

    /** Builds {@link ServerOptions}; {@link #build()} checks them. */
    public static final class Builder {
        private final List<InetAddress> addresses;
        private int port = RtrsLimits.DEFAULT_PORT;
        private int queueDepth = RtrsLimits.DEFAULT_QUEUE_DEPTH;
        private int chunkSize = RtrsLimits.DEFAULT_CHUNK_SIZE;
        private boolean alwaysInvalidate = true;
        private String provider = ClientSessionOptions.DEFAULT_PROVIDER;
        private int maxSessions = DEFAULT_MAX_SESSIONS;
        private int maxPaths = DEFAULT_MAX_PATHS;
        private int maxPathsPerSession = RtrsLimits.MAX_PATHS;
        private int maxConnectionsPerPath = DEFAULT_MAX_CONNECTIONS_PER_PATH;
        private int maxConnectingPaths = DEFAULT_MAX_CONNECTING_PATHS;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;

        private Builder(List<InetAddress> addresses) {
            this.addresses = addresses;
        }

        public Builder port(int value) {
            this.port = value;
            return this;
        }

        public Builder queueDepth(int value) {
            this.queueDepth = value;
            return this;
        }

        public Builder chunkSize(int value) {
            this.chunkSize = value;
            return this;
        }

        public Builder alwaysInvalidate(boolean value) {
            this.alwaysInvalidate = value;
            return this;
        }

        public Builder provider(String value) {
            this.provider = value;
            return this;
        }

        public Builder maxSessions(int value) {
            this.maxSessions = value;
            return this;
        }

        public Builder maxPaths(int value) {
            this.maxPaths = value;
            return this;
        }

        public Builder maxPathsPerSession(int value) {
            this.maxPathsPerSession = value;
            return this;
        }

        public Builder maxConnectionsPerPath(int value) {
            this.maxConnectionsPerPath = value;
            return this;
        }

        public Builder maxConnectingPaths(int value) {
            this.maxConnectingPaths = value;
            return this;
        }

        public Builder handshakeTimeout(Duration value) {
            this.handshakeTimeout = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the first option out of range */
        public ServerOptions build() {
            return new ServerOptions(
                    addresses,
                    port,
                    queueDepth,
                    chunkSize,
                    alwaysInvalidate,
                    provider,
                    maxSessions,
                    maxPaths,
                    maxPathsPerSession,
                    maxConnectionsPerPath,
                    maxConnectingPaths,
                    handshakeTimeout);
        }
    }
}
