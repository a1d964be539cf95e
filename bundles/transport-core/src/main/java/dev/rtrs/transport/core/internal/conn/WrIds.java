package dev.rtrs.transport.core.internal.conn;

/** Work-request ids: what kind of request (upper 32 bits) for which chunk or permit (lower 32 bits). */
public final class WrIds {

    /** A client's IO request (RDMA_WRITE_WITH_IMM into a chunk). */
    public static final int IO_REQUEST = 1;
    /** The server's LOCAL_INV of a chunk (always_invalidate). */
    public static final int INVALIDATE = 2;
    /** The server's REG_MR of a chunk (always_invalidate). */
    public static final int REGISTER = 3;
    /** The server's RDMA WRITE of READ data into the client's buffers. */
    public static final int READ_DATA = 4;
    /** The server's IO response. */
    public static final int RESPONSE = 5;
    /** INFO_REQ / INFO_RSP. */
    public static final int INFO = 6;
    /** Heartbeat and its acknowledgement. */
    public static final int HEARTBEAT = 7;

    private WrIds() {}

    public static long of(int kind, int id) {
        return (long) kind << 32 | id & 0xFFFFFFFFL;
    }

    public static int kind(long wrId) {
        return (int) (wrId >>> 32);
    }

    public static int id(long wrId) {
        return (int) wrId;
    }
}
