package dev.rtrs.block.protocol;

/**
 * SESS_INFO_RSP, server to client: the version the session will speak (36 bytes).
 *
 * @param version the server's choice, at most the client's version
 */
public record RnbdSessInfoRsp(int version) implements RnbdMessage {

    public static final int SIZE = 36;

    public RnbdSessInfoRsp {
        Fields.u8("version", version);
    }

    @Override
    public RnbdMessageType type() {
        return RnbdMessageType.SESS_INFO_RSP;
    }

    @Override
    public int wireSize() {
        return SIZE;
    }
}
