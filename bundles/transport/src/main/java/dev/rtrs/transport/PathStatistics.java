package dev.rtrs.transport;

/**
 * Counters of one path, as the kernel keeps them.
 *
 * @param readCount            READ IOs completed
 * @param readBytes            their data bytes
 * @param writeCount           WRITE IOs completed
 * @param writeBytes           their data bytes
 * @param inflight             IOs in flight on the path now
 * @param failedOver           IOs moved from this path to another after this path failed
 * @param reconnectsSuccessful reconnects that brought the path back
 * @param reconnectsFailed     reconnect attempts that failed
 */
public record PathStatistics(
        long readCount,
        long readBytes,
        long writeCount,
        long writeBytes,
        int inflight,
        long failedOver,
        long reconnectsSuccessful,
        long reconnectsFailed) {}
