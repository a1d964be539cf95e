package dev.rtrs.verbs;

/** Completion status, with the values of ibverbs' {@code ibv_wc_status}. */
public enum WcStatus {
    SUCCESS(0),
    LOCAL_LENGTH_ERROR(1),
    LOCAL_QP_OPERATION_ERROR(2),
    LOCAL_PROTECTION_ERROR(4),
    /** The queue pair went to the error state before this work request ran. */
    WR_FLUSH_ERROR(5),
    BAD_RESPONSE_ERROR(7),
    LOCAL_ACCESS_ERROR(8),
    REMOTE_INVALID_REQUEST_ERROR(9),
    /** Bad rkey, out-of-bounds or not-permitted remote access. */
    REMOTE_ACCESS_ERROR(10),
    REMOTE_OPERATION_ERROR(11),
    /** The peer stopped answering (gone, or link down). */
    RETRY_EXCEEDED_ERROR(12),
    /** The peer had no receive posted for a SEND, after all retries. */
    RNR_RETRY_EXCEEDED_ERROR(13),
    FATAL_ERROR(19),
    GENERAL_ERROR(21);

    private final int wireValue;

    WcStatus(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    /** The status for an ibverbs value; unknown values map to {@link #GENERAL_ERROR}. */
    public static WcStatus fromWire(int value) {
        for (WcStatus s : values()) {
            if (s.wireValue == value) {
                return s;
            }
        }
        return GENERAL_ERROR;
    }
}
