package dev.rtrs.transport.core.internal.wire;

/** The 16-bit {@code type} of RTRS control and IO messages. */
public enum RtrsMessageType {
    INFO_REQ(0),
    INFO_RSP(1),
    WRITE(2),
    READ(3),
    RKEY_RSP(4);

    private static final RtrsMessageType[] ALL = values();

    private final int wireValue;

    RtrsMessageType(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    public static RtrsMessageType fromWire(int value) throws WireFormatException {
        for (RtrsMessageType t : ALL) {
            if (t.wireValue == value) {
                return t;
            }
        }
        throw new WireFormatException("unknown RTRS message type " + value);
    }
}
