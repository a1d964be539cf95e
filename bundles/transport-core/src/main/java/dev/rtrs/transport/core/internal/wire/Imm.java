package dev.rtrs.transport.core.internal.wire;

/**
 * Encoding of the 32-bit immediate data: {@code (type & 0xF) << 28 | payload & 0x0FFFFFFF}.
 * IO_REQ payload: {@code buf_id << mem_bits | offset}. IO_RSP payload: {@code (errno & 0x1FF) << 19 | msg_id}.
 */
public final class Imm {

    private static final int PAYLOAD_MASK = 0x0FFFFFFF;
    private static final int MSG_ID_BITS = 19;
    private static final int MSG_ID_MASK = (1 << MSG_ID_BITS) - 1;
    private static final int ERRNO_MASK = 0x1FF;

    private Imm() {}

    public static int encode(ImmType type, int payload) {
        return (type.wireValue() & 0xF) << 28 | payload & PAYLOAD_MASK;
    }

    public static ImmType type(int imm) throws WireFormatException {
        return ImmType.fromWire(imm >>> 28);
    }

    public static int payload(int imm) {
        return imm & PAYLOAD_MASK;
    }

    /** Bits that number a session's chunks: {@code floor(log2(queueDepth - 1)) + 1}. */
    public static int chunkBits(int queueDepth) {
        // the kernel's ilog2(queue_depth - 1) + 1, which is 0 for a single chunk
        return queueDepth <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(queueDepth - 1);
    }

    /** Bits left for the offset inside a chunk. */
    public static int memBits(int queueDepth) {
        return RtrsProtocol.IMM_PAYLOAD_BITS - chunkBits(queueDepth);
    }

    public static int ioRequest(int bufId, int offset, int memBits) {
        return encode(ImmType.IO_REQ, bufId << memBits | offset);
    }

    public static int bufId(int payload, int memBits) {
        return payload >>> memBits;
    }

    public static int offset(int payload, int memBits) {
        return payload & ((1 << memBits) - 1);
    }

    /** An IO_RSP (or IO_RSP_W_INV) immediate; {@code errno} may be given positive or negative. */
    public static int ioResponse(int msgId, int errno, boolean withInvalidate) {
        int payload = (Math.abs(errno) & ERRNO_MASK) << MSG_ID_BITS | msgId & MSG_ID_MASK;
        return encode(withInvalidate ? ImmType.IO_RSP_W_INV : ImmType.IO_RSP, payload);
    }

    public static int responseMsgId(int payload) {
        return payload & MSG_ID_MASK;
    }

    /** The positive errno of an IO_RSP payload. */
    public static int responseErrno(int payload) {
        return payload >>> MSG_ID_BITS & ERRNO_MASK;
    }
}
