package dev.rtrs.verbs.disni;

/**
 * Settings of a DiSNI provider. DiSNI 2.1 cannot query device limits, so the limits a device reports are the ones
 * given here; set them to what the NIC allows.
 *
 * @param cmEventIntervalMs          longest pause of the connection-manager event thread between two polls of the
 *                                   event channel when idle (the poll itself never blocks, so that other threads
 *                                   can create ids meanwhile)
 * @param completionWaitMs           how long a completion thread waits for a completion event before it looks for
 *                                   completions queued before the queue was armed, and for close
 * @param maxQueuePairWorkRequests   most work requests of one send or receive queue
 * @param maxScatterGatherEntries    most scatter/gather entries per work request (libdisni 2.1 creates queue pairs
 *                                   with 4)
 * @param maxCompletionQueueEntries  most entries of one completion queue
 * @param maxMemoryRegionSize        largest memory region in bytes (DiSNI registers at most 2^31-1 bytes)
 * @param retryCount                 transport retries of a connection (0 to 7), for every queue pair: DiSNI 2.1
 *                                   cannot set a queue pair's ACK timeout or retry count, so it ignores
 *                                   {@link dev.rtrs.verbs.QueuePairAttributes#ackTimeout()} and
 *                                   {@link dev.rtrs.verbs.QueuePairAttributes#retryCount()} (its devices do not
 *                                   report {@code ACK_TIMEOUT}; the RDMA connection manager chooses the ACK timeout)
 * @param rnrRetryCount              receiver-not-ready retries of a connection (0 to 7; 7 retries forever)
 */
public record DisniOptions(
        int cmEventIntervalMs,
        int completionWaitMs,
        int maxQueuePairWorkRequests,
        int maxScatterGatherEntries,
        int maxCompletionQueueEntries,
        long maxMemoryRegionSize,
        int retryCount,
        int rnrRetryCount) {

    public DisniOptions {
        positive("cmEventIntervalMs", cmEventIntervalMs);
        positive("completionWaitMs", completionWaitMs);
        positive("maxQueuePairWorkRequests", maxQueuePairWorkRequests);
        positive("maxScatterGatherEntries", maxScatterGatherEntries);
        positive("maxCompletionQueueEntries", maxCompletionQueueEntries);
        if (maxMemoryRegionSize < 1 || maxMemoryRegionSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxMemoryRegionSize must be in [1, 2^31-1]: " + maxMemoryRegionSize);
        }
        if (retryCount < 0 || retryCount > 7 || rnrRetryCount < 0 || rnrRetryCount > 7) {
            throw new IllegalArgumentException("retry counts must be in [0, 7]");
        }
    }

    /** Defaults that every current Mellanox/NVIDIA NIC accepts. */
    public static DisniOptions defaults() {
        return new DisniOptions(5, 10, 4096, 4, 65536, Integer.MAX_VALUE, 7, 7);
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
