package dev.rtrs.block.protocol;

/**
 * CLOSE, client to server: the client unmaps a device (8 bytes).
 *
 * @param deviceId the id the server gave in OPEN_RSP; an unsigned 32-bit value, compared for equality only
 */
public record RnbdClose(int deviceId) implements RnbdMessage {

    public static final int SIZE = 8;

    @Override
    public RnbdMessageType type() {
        return RnbdMessageType.CLOSE;
    }

    @Override
    public int wireSize() {
        return SIZE;
    }
}
