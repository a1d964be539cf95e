package dev.rtrs.verbs;

import java.util.Objects;

/**
 * Sizes and completion queues of a new queue pair.
 *
 * @param sendCq          completions of the send queue
 * @param receiveCq       completions of the receive queue (may be the same queue)
 * @param maxSendWr       send-queue slots; posting beyond them fails with {@code ENOMEM}
 * @param maxReceiveWr    receive-queue slots; posting beyond them fails with {@code ENOMEM}
 * @param maxSendSge      most entries per send work request
 * @param maxReceiveSge   most entries per receive work request
 */
public record QueuePairAttributes(CompletionQueue sendCq, CompletionQueue receiveCq, int maxSendWr,
        int maxReceiveWr, int maxSendSge, int maxReceiveSge) {

    public QueuePairAttributes {
        Objects.requireNonNull(sendCq, "sendCq");
        Objects.requireNonNull(receiveCq, "receiveCq");
        if (maxSendWr < 1 || maxReceiveWr < 1 || maxSendSge < 1 || maxReceiveSge < 1) {
            throw new IllegalArgumentException("queue sizes and sge counts must be positive");
        }
    }
}
