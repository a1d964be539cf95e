package dev.rtrs.verbs.tcp;

import dev.rtrs.verbs.QueuePairAttributes;

/**
 * Settings of a {@link TcpVerbsProvider}. Immutable; build with {@link #builder()}, start from
 * {@link #defaults()}.
 *
 * @param deviceName                name of the provider's one device
 * @param ioThreads                 selector threads that own the connections (reads, writes, completions)
 * @param eventThreads              threads delivering connection-manager events
 * @param rnrTimeoutMs              how long a requester retries a request the peer has no receive posted for
 * @param maxQueuePairWorkRequests  the device's limit for send and receive queue sizes
 * @param maxScatterGatherEntries   the device's limit of entries per work request
 * @param maxCompletionQueueEntries the device's limit of completion queue sizes
 * @param responderResources        RDMA READs one queue pair may have outstanding at its peer
 * @param handshakeTimeoutMs        how long an accepted socket may take to send its connect request
 * @param disconnectTimeoutMs       how long an orderly disconnect waits for the peer's reply
 * @param socketBufferBytes         SO_SNDBUF and SO_RCVBUF of connections; 0 keeps the kernel's auto-tuning
 * @param ackTimeout                the ACK timeout exponent of queue pairs created without one (0 to 31, as
 *                                  ibverbs' {@code timeout}: 4.096 us &times; 2<sup>ackTimeout</sup>; 0 waits forever)
 * @param retryCount                the retries after an ACK timeout of queue pairs created without a count (0 to 7):
 *                                  a silent peer fails their requests after {@code retryCount + 1} ACK timeouts
 * @param keepAliveIdleSeconds      TCP_KEEPIDLE of connections: idle time before keepalive probes; 0 turns
 *                                  SO_KEEPALIVE off
 * @param keepAliveIntervalSeconds  TCP_KEEPINTERVAL of connections: time between keepalive probes
 * @param keepAliveCount            TCP_KEEPCOUNT of connections: unanswered probes before the kernel closes the
 *                                  connection
 */
public record TcpProviderOptions(
        String deviceName,
        int ioThreads,
        int eventThreads,
        int rnrTimeoutMs,
        int maxQueuePairWorkRequests,
        int maxScatterGatherEntries,
        int maxCompletionQueueEntries,
        int responderResources,
        int handshakeTimeoutMs,
        int disconnectTimeoutMs,
        int socketBufferBytes,
        int ackTimeout,
        int retryCount,
        int keepAliveIdleSeconds,
        int keepAliveIntervalSeconds,
        int keepAliveCount) {

    // a silent peer fails outstanding requests after 8 x 0.54 s = 4.3 s
    private static final int DEFAULT_ACK_TIMEOUT = 17;
    private static final int DEFAULT_RETRY_COUNT = 7;
    private static final int DEFAULT_KEEPALIVE_IDLE_SECONDS = 10;
    private static final int DEFAULT_KEEPALIVE_INTERVAL_SECONDS = 2;
    private static final int DEFAULT_KEEPALIVE_COUNT = 3;

    public TcpProviderOptions {
        if (deviceName == null || deviceName.isBlank()) {
            throw new IllegalArgumentException("deviceName must not be blank");
        }
        positive(ioThreads, "ioThreads");
        positive(eventThreads, "eventThreads");
        positive(rnrTimeoutMs, "rnrTimeoutMs");
        positive(maxQueuePairWorkRequests, "maxQueuePairWorkRequests");
        positive(maxScatterGatherEntries, "maxScatterGatherEntries");
        positive(maxCompletionQueueEntries, "maxCompletionQueueEntries");
        if (responderResources < 1 || responderResources > 65535) {
            throw new IllegalArgumentException("responderResources must be 1..65535, not " + responderResources);
        }
        positive(handshakeTimeoutMs, "handshakeTimeoutMs");
        positive(disconnectTimeoutMs, "disconnectTimeoutMs");
        if (socketBufferBytes < 0) {
            throw new IllegalArgumentException("socketBufferBytes must not be negative");
        }
        within(ackTimeout, 0, QueuePairAttributes.MAX_ACK_TIMEOUT, "ackTimeout");
        within(retryCount, 0, QueuePairAttributes.MAX_RETRY_COUNT, "retryCount");
        // Linux's limits of TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT
        within(keepAliveIdleSeconds, 0, 32767, "keepAliveIdleSeconds");
        within(keepAliveIntervalSeconds, 1, 32767, "keepAliveIntervalSeconds");
        within(keepAliveCount, 1, 127, "keepAliveCount");
    }

    /**
     * Options with the defaults of the settings added in 1.1 (ACK timeout, retry count, keepalive).
     *
     * @deprecated use the canonical constructor or {@link #builder()}
     */
    @Deprecated
    public TcpProviderOptions(
            String deviceName,
            int ioThreads,
            int eventThreads,
            int rnrTimeoutMs,
            int maxQueuePairWorkRequests,
            int maxScatterGatherEntries,
            int maxCompletionQueueEntries,
            int responderResources,
            int handshakeTimeoutMs,
            int disconnectTimeoutMs,
            int socketBufferBytes) {
        this(
                deviceName,
                ioThreads,
                eventThreads,
                rnrTimeoutMs,
                maxQueuePairWorkRequests,
                maxScatterGatherEntries,
                maxCompletionQueueEntries,
                responderResources,
                handshakeTimeoutMs,
                disconnectTimeoutMs,
                socketBufferBytes,
                DEFAULT_ACK_TIMEOUT,
                DEFAULT_RETRY_COUNT,
                DEFAULT_KEEPALIVE_IDLE_SECONDS,
                DEFAULT_KEEPALIVE_INTERVAL_SECONDS,
                DEFAULT_KEEPALIVE_COUNT);
    }

    private static void within(int value, int min, int max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", not " + value);
        }
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }

    /**
     * The defaults: one IO thread per core (at most 4), 1 s RNR timeout, 16384-entry queues, ACK timeout 17
     * (0.54 s) with 7 retries, keepalive probes after 10 s idle, every 2 s, 3 of them.
     */
    public static TcpProviderOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder()
                .deviceName(deviceName)
                .ioThreads(ioThreads)
                .eventThreads(eventThreads)
                .rnrTimeoutMs(rnrTimeoutMs)
                .maxQueuePairWorkRequests(maxQueuePairWorkRequests)
                .maxScatterGatherEntries(maxScatterGatherEntries)
                .maxCompletionQueueEntries(maxCompletionQueueEntries)
                .responderResources(responderResources)
                .handshakeTimeoutMs(handshakeTimeoutMs)
                .disconnectTimeoutMs(disconnectTimeoutMs)
                .socketBufferBytes(socketBufferBytes)
                .ackTimeout(ackTimeout)
                .retryCount(retryCount)
                .keepAliveIdleSeconds(keepAliveIdleSeconds)
                .keepAliveIntervalSeconds(keepAliveIntervalSeconds)
                .keepAliveCount(keepAliveCount);
    }

    /** Builds {@link TcpProviderOptions}; every setter has a default. */
    public static final class Builder {
        private String deviceName = "tcp0";
        private int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private int eventThreads = 2;
        private int rnrTimeoutMs = 1000;
        private int maxQueuePairWorkRequests = 16384;
        private int maxScatterGatherEntries = 32;
        private int maxCompletionQueueEntries = 1 << 20;
        private int responderResources = 128;
        private int handshakeTimeoutMs = 10_000;
        private int disconnectTimeoutMs = 2_000;
        private int socketBufferBytes;
        private int ackTimeout = DEFAULT_ACK_TIMEOUT;
        private int retryCount = DEFAULT_RETRY_COUNT;
        private int keepAliveIdleSeconds = DEFAULT_KEEPALIVE_IDLE_SECONDS;
        private int keepAliveIntervalSeconds = DEFAULT_KEEPALIVE_INTERVAL_SECONDS;
        private int keepAliveCount = DEFAULT_KEEPALIVE_COUNT;

        private Builder() {}

        public Builder deviceName(String v) {
            deviceName = v;
            return this;
        }

        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        public Builder eventThreads(int v) {
            eventThreads = v;
            return this;
        }

        public Builder rnrTimeoutMs(int v) {
            rnrTimeoutMs = v;
            return this;
        }

        public Builder maxQueuePairWorkRequests(int v) {
            maxQueuePairWorkRequests = v;
            return this;
        }

        public Builder maxScatterGatherEntries(int v) {
            maxScatterGatherEntries = v;
            return this;
        }

        public Builder maxCompletionQueueEntries(int v) {
            maxCompletionQueueEntries = v;
            return this;
        }

        public Builder responderResources(int v) {
            responderResources = v;
            return this;
        }

        public Builder handshakeTimeoutMs(int v) {
            handshakeTimeoutMs = v;
            return this;
        }

        public Builder disconnectTimeoutMs(int v) {
            disconnectTimeoutMs = v;
            return this;
        }

        public Builder socketBufferBytes(int v) {
            socketBufferBytes = v;
            return this;
        }

        public Builder ackTimeout(int v) {
            ackTimeout = v;
            return this;
        }

        public Builder retryCount(int v) {
            retryCount = v;
            return this;
        }

        public Builder keepAliveIdleSeconds(int v) {
            keepAliveIdleSeconds = v;
            return this;
        }

        public Builder keepAliveIntervalSeconds(int v) {
            keepAliveIntervalSeconds = v;
            return this;
        }

        public Builder keepAliveCount(int v) {
            keepAliveCount = v;
            return this;
        }

        /** @throws IllegalArgumentException naming the first invalid setting */
        public TcpProviderOptions build() {
            return new TcpProviderOptions(
                    deviceName,
                    ioThreads,
                    eventThreads,
                    rnrTimeoutMs,
                    maxQueuePairWorkRequests,
                    maxScatterGatherEntries,
                    maxCompletionQueueEntries,
                    responderResources,
                    handshakeTimeoutMs,
                    disconnectTimeoutMs,
                    socketBufferBytes,
                    ackTimeout,
                    retryCount,
                    keepAliveIdleSeconds,
                    keepAliveIntervalSeconds,
                    keepAliveCount);
        }
    }
}
