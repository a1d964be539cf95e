package dev.rtrs.verbs.tcp.internal;

/** The frames of the provider's TCP framing; each owns its wire value. */
enum FrameType {
    /** Active side's connect request: private data, initial PSN, queue pair number. */
    CONNECT_REQUEST(1),
    /** Passive side's answer: private data, initial PSN, queue pair number. */
    ACCEPT(2),
    /** Passive side's refusal, with private data. */
    REJECT(3),
    /** Active side's confirmation (RDMA CM's RTU): the passive side reports ESTABLISHED on it. */
    READY_TO_USE(4),
    /** Orderly disconnect (DREQ). */
    DISCONNECT(5),
    /** Answer to DISCONNECT (DREP). */
    DISCONNECT_REPLY(6),
    SEND(16),
    SEND_WITH_IMM(17),
    SEND_WITH_INV(18),
    WRITE(19),
    WRITE_WITH_IMM(20),
    READ_REQUEST(21),
    READ_RESPONSE(22),
    /** Cumulative acknowledgement; every data frame also carries one. */
    ACK(23),
    /** Negative acknowledgement of one request (receiver not ready, access or request error). */
    NAK(24);

    private static final FrameType[] BY_WIRE = new FrameType[32];

    static {
        for (FrameType t : values()) {
            BY_WIRE[t.wireValue] = t;
        }
    }

    private final int wireValue;

    FrameType(int wireValue) {
        this.wireValue = wireValue;
    }

    int wireValue() {
        return wireValue;
    }

    /** The type of a wire value, or {@code null} for an unknown one. */
    static FrameType fromWire(int value) {
        return value >= 0 && value < BY_WIRE.length ? BY_WIRE[value] : null;
    }

    /** Connection-manager frames: exchanged outside the queue pair's data stream. */
    boolean isConnectionManagement() {
        return wireValue < SEND.wireValue;
    }

    /** Requests executed by the responder, in PSN order. */
    boolean isRequest() {
        return wireValue >= SEND.wireValue && wireValue <= READ_REQUEST.wireValue;
    }
}
