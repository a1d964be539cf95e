package dev.rtrs.verbs.disni.internal;

import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.WorkCompletion;
import java.util.ArrayList;
import java.util.List;

/** A {@link DisniQueuePair} whose DiSNI calls are recorded instead of reaching a NIC. */
final class QueuePairFixture {

    final List<RecordingPostSend> sendCalls = new ArrayList<>();
    final List<RecordingPostRecv> receiveCalls = new ArrayList<>();
    /** When set, the next prepared send call fails with this message, as DiSNI's native post would. */
    String failNextSend;

    final DisniQueuePair qp;

    QueuePairFixture(int qpNumber, CompletionQueue sendCq, CompletionQueue receiveCq, int maxWr, int maxSge) {
        QueuePairAttributes attributes = new QueuePairAttributes(sendCq, receiveCq, maxWr, maxWr, maxSge, maxSge);
        qp = new DisniQueuePair(
                null,
                qpNumber,
                attributes,
                wrs -> {
                    RecordingPostSend call = new RecordingPostSend(wrs, () -> {
                        String message = failNextSend;
                        failNextSend = null;
                        return message;
                    });
                    sendCalls.add(call);
                    return call;
                },
                wrs -> {
                    RecordingPostRecv call = new RecordingPostRecv(wrs);
                    receiveCalls.add(call);
                    return call;
                });
    }

    /** A completion queue that only serves as an identity for the translator. */
    static CompletionQueue queue(String name) {
        return new CompletionQueue() {
            @Override
            public RdmaDevice device() {
                return null;
            }

            @Override
            public int capacity() {
                return 64;
            }

            @Override
            public int poll(WorkCompletion[] completions) {
                return 0;
            }

            @Override
            public void requestNotify() {
                // nothing to arm
            }

            @Override
            public void close() {
                // nothing to release
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
