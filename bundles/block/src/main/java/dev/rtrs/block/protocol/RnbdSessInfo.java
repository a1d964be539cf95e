package dev.rtrs.block.protocol;

/**
 * SESS_INFO, client to server, first message of a session: the protocol version the client speaks (36 bytes).
 *
 * @param version the client's RNBD major version, {@link RnbdCodec#PROTOCOL_VERSION} for this implementation
 */
public record RnbdSessInfo(int version) implements RnbdMessage {

    public static final int SIZE = 36;

    public RnbdSessInfo {
        Fields.u8("version", version);
    }

    @Override
    public RnbdMessageType type() {
        return RnbdMessageType.SESS_INFO;
    }

    @Override
    public int wireSize() {
        return SIZE;
    }
}
