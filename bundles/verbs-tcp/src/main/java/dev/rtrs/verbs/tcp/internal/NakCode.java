package dev.rtrs.verbs.tcp.internal;

import dev.rtrs.verbs.WcStatus;

/** Why a responder refused a request; each code owns its wire value and the requester's completion status. */
enum NakCode {
    /** No receive posted: the requester retries until its RNR timeout. */
    RECEIVER_NOT_READY(1, WcStatus.RNR_RETRY_EXCEEDED_ERROR),
    /** Bad rkey, bounds or access flags. */
    REMOTE_ACCESS(2, WcStatus.REMOTE_ACCESS_ERROR),
    /** The request cannot be executed as sent (message longer than the receive buffer, bad key to invalidate). */
    INVALID_REQUEST(3, WcStatus.REMOTE_INVALID_REQUEST_ERROR),
    /** The responder failed locally (its receive buffer was not usable). */
    REMOTE_OPERATION(4, WcStatus.REMOTE_OPERATION_ERROR);

    private final int wireValue;
    private final WcStatus status;

    NakCode(int wireValue, WcStatus status) {
        this.wireValue = wireValue;
        this.status = status;
    }

    int wireValue() {
        return wireValue;
    }

    /** The status the requester's work request completes with. */
    WcStatus status() {
        return status;
    }

    /** The code of a wire value, or {@code null} for an unknown one. */
    static NakCode fromWire(int value) {
        for (NakCode c : values()) {
            if (c.wireValue == value) {
                return c;
            }
        }
        return null;
    }
}
