package dev.rtrs.verbs.tcp;

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
 */
public record TcpProviderOptions(String deviceName, int ioThreads, int eventThreads, int rnrTimeoutMs,
        int maxQueuePairWorkRequests, int maxScatterGatherEntries, int maxCompletionQueueEntries,
        int responderResources, int handshakeTimeoutMs, int disconnectTimeoutMs, int socketBufferBytes) {

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
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }

    /** The defaults: one IO thread per core (at most 4), 1 s RNR timeout, 16384-entry queues. */
    public static TcpProviderOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().deviceName(deviceName).ioThreads(ioThreads).eventThreads(eventThreads)
                .rnrTimeoutMs(rnrTimeoutMs).maxQueuePairWorkRequests(maxQueuePairWorkRequests)
                .maxScatterGatherEntries(maxScatterGatherEntries).maxCompletionQueueEntries(maxCompletionQueueEntries)
                .responderResources(responderResources).handshakeTimeoutMs(handshakeTimeoutMs)
                .disconnectTimeoutMs(disconnectTimeoutMs).socketBufferBytes(socketBufferBytes);
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

        private Builder() {
        }

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

        /** @throws IllegalArgumentException naming the first invalid setting */
        public TcpProviderOptions build() {
            return new TcpProviderOptions(deviceName, ioThreads, eventThreads, rnrTimeoutMs, maxQueuePairWorkRequests,
                    maxScatterGatherEntries, maxCompletionQueueEntries, responderResources, handshakeTimeoutMs,
                    disconnectTimeoutMs, socketBufferBytes);
        }
    }
}
