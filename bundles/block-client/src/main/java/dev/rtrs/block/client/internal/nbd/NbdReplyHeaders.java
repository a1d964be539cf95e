package dev.rtrs.block.client.internal.nbd;

import java.nio.ByteBuffer;

/**
 * Encodes the header of a transmission reply at the start of a buffer, with absolute puts (the buffer's position
 * and limit stay, nothing is allocated): a simple reply, or a structured or extended reply chunk. The chunk's
 * payload, fixed part and data, follows at the returned size.
 */
final class NbdReplyHeaders {

    /** Simple reply: magic, error, cookie. */
    static final int SIMPLE = 16;
    /** Structured reply chunk: magic, flags, type, cookie, 32-bit payload length. */
    static final int STRUCTURED = 20;
    /** Extended reply chunk: magic, flags, type, cookie, the request's offset, 64-bit payload length. */
    static final int EXTENDED = 32;

    private NbdReplyHeaders() {}

    /** Writes a simple reply; returns its size. */
    static int simple(ByteBuffer b, int error, long cookie) {
        b.putInt(0, Nbd.SIMPLE_REPLY_MAGIC).putInt(4, error).putLong(8, cookie);
        return SIMPLE;
    }

    /**
     * Writes the header of a chunk of a structured ({@link NbdHeaderMode#STRUCTURED}) or extended reply; returns
     * its size, where the payload starts.
     *
     * @param offset        the request's offset (extended headers only carry it)
     * @param payloadLength bytes that follow the header in this chunk
     */
    static int chunk(
            ByteBuffer b, NbdHeaderMode mode, int flags, int type, long cookie, long offset, long payloadLength) {
        if (mode == NbdHeaderMode.EXTENDED) {
            b.putInt(0, Nbd.EXTENDED_REPLY_MAGIC)
                    .putShort(4, (short) flags)
                    .putShort(6, (short) type)
                    .putLong(8, cookie)
                    .putLong(16, offset)
                    .putLong(24, payloadLength);
            return EXTENDED;
        }
        b.putInt(0, Nbd.STRUCTURED_REPLY_MAGIC)
                .putShort(4, (short) flags)
                .putShort(6, (short) type)
                .putLong(8, cookie)
                .putInt(16, (int) payloadLength);
        return STRUCTURED;
    }
}
