package dev.rtrs.transport.core.internal.wire;

/** RTRS 2.0 constants that only the protocol implementation needs. */
public final class RtrsProtocol {

    public static final int MAGIC = 0x1BBD;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 0;
    /** (major << 8) | minor. */
    public static final int VERSION = VERSION_MAJOR << 8 | VERSION_MINOR;
    /** Size of the connect request/response private data. */
    public static final int PRIVATE_DATA_SIZE = 56;

    public static final int SERVICE_QUEUE_DEPTH = 512;
    public static final int HEARTBEAT_INTERVAL_MS = 5000;
    public static final int HEARTBEAT_MISSED_MAX = 5;
    /** Bits of the immediate payload. */
    public static final int IMM_PAYLOAD_BITS = 28;

    /** READ message flag: the client wants its buffer rkey invalidated by the response. */
    public static final int FLAG_NEED_INVAL = 1;
    /** CON_RSP flag: the server runs with always_invalidate and sends RKEY_RSP. */
    public static final int FLAG_NEW_RKEY = 1 << 1;

    private RtrsProtocol() {}
}
