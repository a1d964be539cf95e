package dev.rtrs.transport;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * What a server listens with.
 *
 * @param addresses        local addresses to listen on (at least one; a wildcard address listens on all)
 * @param port             port, {@value RtrsLimits#DEFAULT_PORT} by default; 0 picks a free one
 * @param queueDepth       chunks per session, 1 to 65535
 * @param chunkSize        bytes per chunk: a power of two, at least {@value RtrsLimits#MIN_CHUNK_SIZE}; also
 *                         the largest IO (data, user header and message together)
 * @param alwaysInvalidate invalidate each chunk's rkey before its data is used and hand out a fresh one
 *                         afterwards. On by default; off is about 20% faster but lets a malicious client
 *                         write into chunks it does not own at the moment.
 * @param provider         the verbs provider, e.g. {@code tcp}
 */
public record ServerOptions(
        List<InetAddress> addresses,
        int port,
        int queueDepth,
        int chunkSize,
        boolean alwaysInvalidate,
        String provider) {

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

    public ServerOptions withPort(int value) {
        return new ServerOptions(addresses, value, queueDepth, chunkSize, alwaysInvalidate, provider);
    }

    public ServerOptions withQueueDepth(int value) {
        return new ServerOptions(addresses, port, value, chunkSize, alwaysInvalidate, provider);
    }

    public ServerOptions withChunkSize(int value) {
        return new ServerOptions(addresses, port, queueDepth, value, alwaysInvalidate, provider);
    }

    public ServerOptions withAlwaysInvalidate(boolean value) {
        return new ServerOptions(addresses, port, queueDepth, chunkSize, value, provider);
    }

    public ServerOptions withProvider(String value) {
        return new ServerOptions(addresses, port, queueDepth, chunkSize, alwaysInvalidate, value);
    }

    /** Builds {@link ServerOptions}; {@link #build()} checks them. */
    public static final class Builder {
        private final List<InetAddress> addresses;
        private int port = RtrsLimits.DEFAULT_PORT;
        private int queueDepth = RtrsLimits.DEFAULT_QUEUE_DEPTH;
        private int chunkSize = RtrsLimits.DEFAULT_CHUNK_SIZE;
        private boolean alwaysInvalidate = true;
        private String provider = ClientSessionOptions.DEFAULT_PROVIDER;

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

        /** @throws IllegalArgumentException naming the first option out of range */
        public ServerOptions build() {
            return new ServerOptions(addresses, port, queueDepth, chunkSize, alwaysInvalidate, provider);
        }
    }
}
