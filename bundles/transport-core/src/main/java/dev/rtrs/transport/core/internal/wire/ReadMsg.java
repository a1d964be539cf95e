package dev.rtrs.transport.core.internal.wire;

import java.util.List;

/**
 * The READ message after the user header in a chunk: the client's buffers the server writes into
 * (8 + 16 bytes per descriptor).
 */
public record ReadMsg(int usrLen, int flags, List<SgDesc> buffers) {

    public static final int HEADER_SIZE = 8;

    public ReadMsg {
        buffers = List.copyOf(buffers);
    }

    public boolean needInvalidate() {
        return (flags & RtrsProtocol.FLAG_NEED_INVAL) != 0;
    }

    public static int size(int descriptors) {
        return HEADER_SIZE + descriptors * SgDesc.SIZE;
    }

    /** Total bytes the client asked for. */
    public long totalLength() {
        long total = 0;
        for (SgDesc d : buffers) {
            total += d.length();
        }
        return total;
    }
}
