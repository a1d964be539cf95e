package dev.rtrs.transport.core.internal.wire;

/** The 4-bit type of a 32-bit immediate value. */
public enum ImmType {
    IO_REQ(0),
    IO_RSP(1),
    IO_RSP_W_INV(2),
    HB_MSG(8),
    HB_ACK(9);

    private final int wireValue;

    ImmType(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    public static ImmType fromWire(int value) throws WireFormatException {
        switch (value) {
            case 0:
                return IO_REQ;
            case 1:
                return IO_RSP;
            case 2:
                return IO_RSP_W_INV;
            case 8:
                return HB_MSG;
            case 9:
                return HB_ACK;
            default:
                throw new WireFormatException("unknown immediate type " + value);
        }
    }
}
