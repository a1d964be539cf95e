package dev.rtrs.verbs;

import java.util.Objects;

/**
 * Sizes, completion queues and retransmission limits of a new queue pair.
 *
 * <p>{@code ackTimeout} and {@code retryCount} are ibverbs' {@code ibv_qp_attr.timeout} and {@code retry_cnt}. A
 * request that needs the peer (SEND, RDMA WRITE, RDMA READ) and sees no acknowledgement progress for the local ACK
 * timeout, 4.096 &micro;s &times; 2<sup>ackTimeout</sup>, is retried {@code retryCount} times; then the oldest
 * outstanding request completes with {@link WcStatus#RETRY_EXCEEDED_ERROR}, the queue pair moves to
 * {@link QpState#ERROR} and everything else is flushed. Every acknowledgement restarts the timeout, so a busy
 * queue pair whose peer answers never times out. {@link #PROVIDER_DEFAULT} (what the six-argument constructor
 * sets) means the provider's configured value. Providers honour both only where their device reports
 * {@link DeviceCapabilities.Capability#ACK_TIMEOUT}, and then {@link QueuePair#attributes()} shows the values in
 * force; others use their own configuration.
 *
 * @param sendCq          completions of the send queue
 * @param receiveCq       completions of the receive queue (may be the same queue)
 * @param maxSendWr       send-queue slots; posting beyond them fails with {@code ENOMEM}
 * @param maxReceiveWr    receive-queue slots; posting beyond them fails with {@code ENOMEM}
 * @param maxSendSge      most entries per send work request
 * @param maxReceiveSge   most entries per receive work request
 * @param ackTimeout      exponent of the local ACK timeout, 0 to 31 (0 waits forever), or {@link #PROVIDER_DEFAULT}
 * @param retryCount      retries after the first ACK timeout, 0 to 7, or {@link #PROVIDER_DEFAULT}
 */
public record QueuePairAttributes(
        CompletionQueue sendCq,
        CompletionQueue receiveCq,
        int maxSendWr,
        int maxReceiveWr,
        int maxSendSge,
        int maxReceiveSge,
        int ackTimeout,
        int retryCount) {

    /** An {@code ackTimeout} or {@code retryCount} that leaves the choice to the provider's configuration. */
    public static final int PROVIDER_DEFAULT = -1;

    /** Largest {@code ackTimeout} exponent (5 bits, as in ibverbs). */
    public static final int MAX_ACK_TIMEOUT = 31;

    /** Largest {@code retryCount} (3 bits, as in ibverbs). */
    public static final int MAX_RETRY_COUNT = 7;

    public QueuePairAttributes {
        Objects.requireNonNull(sendCq, "sendCq");
        Objects.requireNonNull(receiveCq, "receiveCq");
        if (maxSendWr < 1 || maxReceiveWr < 1 || maxSendSge < 1 || maxReceiveSge < 1) {
            throw new IllegalArgumentException("queue sizes and sge counts must be positive");
        }
        if (ackTimeout != PROVIDER_DEFAULT && (ackTimeout < 0 || ackTimeout > MAX_ACK_TIMEOUT)) {
            throw new IllegalArgumentException("ackTimeout must be 0.." + MAX_ACK_TIMEOUT + ", not " + ackTimeout);
        }
        if (retryCount != PROVIDER_DEFAULT && (retryCount < 0 || retryCount > MAX_RETRY_COUNT)) {
            throw new IllegalArgumentException("retryCount must be 0.." + MAX_RETRY_COUNT + ", not " + retryCount);
        }
    }

    /** Attributes with the provider's configured ACK timeout and retry count. */
    public QueuePairAttributes(
            CompletionQueue sendCq,
            CompletionQueue receiveCq,
            int maxSendWr,
            int maxReceiveWr,
            int maxSendSge,
            int maxReceiveSge) {
        this(sendCq, receiveCq, maxSendWr, maxReceiveWr, maxSendSge, maxReceiveSge, PROVIDER_DEFAULT, PROVIDER_DEFAULT);
    }

    /** These attributes with another ACK timeout exponent (0 to 31, or {@link #PROVIDER_DEFAULT}). */
    public QueuePairAttributes withAckTimeout(int exponent) {
        return new QueuePairAttributes(
                sendCq, receiveCq, maxSendWr, maxReceiveWr, maxSendSge, maxReceiveSge, exponent, retryCount);
    }

    /** These attributes with another retry count (0 to 7, or {@link #PROVIDER_DEFAULT}). */
    public QueuePairAttributes withRetryCount(int count) {
        return new QueuePairAttributes(
                sendCq, receiveCq, maxSendWr, maxReceiveWr, maxSendSge, maxReceiveSge, ackTimeout, count);
    }

    /**
     * The local ACK timeout of an {@code ackTimeout} exponent in nanoseconds: 4096 &times; 2<sup>exponent</sup>, or
     * 0 for exponent 0 (wait forever).
     *
     * @throws IllegalArgumentException outside 0 to 31
     */
    public static long ackTimeoutNanos(int exponent) {
        if (exponent < 0 || exponent > MAX_ACK_TIMEOUT) {
            throw new IllegalArgumentException("ackTimeout must be 0.." + MAX_ACK_TIMEOUT + ", not " + exponent);
        }
        return exponent == 0 ? 0 : 4096L << exponent;
    }
}
