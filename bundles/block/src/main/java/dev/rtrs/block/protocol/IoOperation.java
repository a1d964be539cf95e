package dev.rtrs.block.protocol;

import dev.rtrs.errno.Errno;

/**
 * The operation in the low 8 bits of an IO message's {@code rw} field. The bits above hold the flags
 * {@link #FLAG_SYNC} and {@link #FLAG_FUA}; any other bit is invalid.
 */
public enum IoOperation {
    READ(0),
    WRITE(1),
    FLUSH(2),
    DISCARD(3),
    SECURE_ERASE(4),
    WRITE_ZEROES(5);

    /** {@code rw} flag: the submitter waits for this IO (REQ_SYNC). */
    public static final int FLAG_SYNC = 1 << 8;
    /** {@code rw} flag: the data must be on stable storage when the IO completes (REQ_FUA). */
    public static final int FLAG_FUA = 1 << 9;
    /** Every flag bit RNBD 2.0 defines. */
    public static final int FLAGS = FLAG_SYNC | FLAG_FUA;
    /** The bits of {@code rw} that hold the operation. */
    public static final int OPERATION_MASK = 0xFF;

    private static final IoOperation[] BY_WIRE = values();

    private final int wireValue;

    IoOperation(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    /** @throws RnbdProtocolException {@code EINVAL} for an operation RNBD 2.0 does not define */
    public static IoOperation fromWire(int value) throws RnbdProtocolException {
        if (value < 0 || value >= BY_WIRE.length) {
            throw new RnbdProtocolException(Errno.EINVAL, "unknown RNBD IO operation " + value);
        }
        return BY_WIRE[value];
    }
}
