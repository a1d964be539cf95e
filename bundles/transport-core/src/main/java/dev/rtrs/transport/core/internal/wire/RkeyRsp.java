package dev.rtrs.transport.core.internal.wire;

/** RKEY_RSP: the new rkey of a chunk after always_invalidate re-registered it (8 bytes). */
public record RkeyRsp(int bufId, int rkey) {

    public static final int SIZE = 8;
}
