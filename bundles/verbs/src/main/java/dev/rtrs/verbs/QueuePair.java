package dev.rtrs.verbs;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A reliable-connected queue pair, created on a {@link CmId}. Both queues are bounded: a post that would
 * exceed {@link QueuePairAttributes#maxSendWr()} or {@link QueuePairAttributes#maxReceiveWr()} fails
 * with {@code ENOMEM} and posts nothing of that call beyond the failing request. Send-queue slots are freed
 * only when the send queue's completions are generated: a signaled request frees itself and every
 * unsignaled request posted before it.
 *
 * <p>post methods are non-blocking and thread-safe.
 */
@ProviderType
public interface QueuePair extends AutoCloseable {

    /** A number identifying this queue pair on its device. */
    int qpNumber();

    QpState state();

    QueuePairAttributes attributes();

    CmId cmId();

    /**
     * Posts one send work request.
     *
     * @throws VerbsException {@code ENOMEM} when the send queue is full, {@code EINVAL} for a malformed request
     *         (too many entries, missing region for REG_MR), {@code EOPNOTSUPP} for an optional verb the device
     *         lacks, {@code ENOTCONN} before the connection is established. In the error state the request is
     *         accepted and flushed.
     */
    void postSend(SendWorkRequest wr) throws VerbsException;

    /**
     * Posts {@code count} send work requests in order, as one batch (one system call where the provider can).
     *
     * @return how many were posted, equal to {@code count} unless an exception is thrown
     * @throws VerbsException as {@link #postSend(SendWorkRequest)}; the requests before the failing one are posted
     */
    int postSend(SendWorkRequest[] wrs, int count) throws VerbsException;

    /** Posts one receive work request; allowed from {@link QpState#INIT} on. */
    void postReceive(ReceiveWorkRequest wr) throws VerbsException;

    int postReceive(ReceiveWorkRequest[] wrs, int count) throws VerbsException;

    /** Destroys the queue pair; outstanding requests are not completed. */
    @Override
    void close();
}
