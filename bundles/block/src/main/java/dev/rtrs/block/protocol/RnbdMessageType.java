package dev.rtrs.block.protocol;

import dev.rtrs.errno.Errno;

/** The 16-bit {@code type} of the RNBD header, at offset 0 of every message. */
public enum RnbdMessageType {
    SESS_INFO(0),
    SESS_INFO_RSP(1),
    OPEN(2),
    OPEN_RSP(3),
    IO(4),
    CLOSE(5);

    private static final RnbdMessageType[] BY_WIRE = values();

    private final int wireValue;

    RnbdMessageType(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    /** @throws RnbdProtocolException {@code EPROTO} for a type RNBD 2.0 does not define */
    public static RnbdMessageType fromWire(int value) throws RnbdProtocolException {
        // the wire values are the ordinals, so the lookup is an index
        if (value < 0 || value >= BY_WIRE.length) {
            throw new RnbdProtocolException(Errno.EPROTO, "unknown RNBD message type " + value);
        }
        return BY_WIRE[value];
    }
}
