package dev.rtrs.transport.core.internal.wire;

/** INFO_REQ: the client names its session once all connections of a path are up (272 bytes). */
public record InfoReq(String sessionName) {

    public static final int SIZE = 272;
    public static final int NAME_SIZE = 255;
}
