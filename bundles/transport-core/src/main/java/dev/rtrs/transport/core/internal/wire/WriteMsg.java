package dev.rtrs.transport.core.internal.wire;

/** The WRITE message at the end of a written chunk: data, then usrLen bytes of user header, then this (4 bytes). */
public record WriteMsg(int usrLen) {

    public static final int SIZE = 4;
}
