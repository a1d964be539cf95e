package dev.rtrs.block.protocol;

import dev.rtrs.errno.Errno;

/**
 * How a client opens an export: read-only any number of times, read-write once, and a second time read-write
 * only in {@link #MIGRATION} mode.
 */
public enum AccessMode {
    RO(0),
    RW(1),
    MIGRATION(2);

    private static final AccessMode[] BY_WIRE = values();

    private final int wireValue;

    AccessMode(int wireValue) {
        this.wireValue = wireValue;
    }

    public int wireValue() {
        return wireValue;
    }

    /** @throws RnbdProtocolException {@code EINVAL} for an access mode RNBD 2.0 does not define */
    public static AccessMode fromWire(int value) throws RnbdProtocolException {
        if (value < 0 || value >= BY_WIRE.length) {
            throw new RnbdProtocolException(Errno.EINVAL, "unknown RNBD access mode " + value);
        }
        return BY_WIRE[value];
    }
}
