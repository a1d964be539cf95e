package dev.rtrs.block.protocol;

/** An RNBD 2.0 message; {@link RnbdCodec} encodes and decodes every kind. */
public sealed interface RnbdMessage permits RnbdSessInfo, RnbdSessInfoRsp, RnbdOpen, RnbdOpenRsp, RnbdIo, RnbdClose {

    RnbdMessageType type();

    /** Size on the wire, in bytes. */
    int wireSize();
}
