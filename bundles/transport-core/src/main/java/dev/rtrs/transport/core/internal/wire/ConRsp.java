package dev.rtrs.transport.core.internal.wire;

/**
 * CON_RSP, the private data of accept or reject (56 bytes).
 *
 * @param errno      0 on accept, a negative errno on reject
 * @param queueDepth chunks of the session
 * @param maxIoSize  largest IO the server takes
 * @param maxHdrSize largest user header
 * @param flags      {@link RtrsProtocol#FLAG_NEW_RKEY} when the server runs with always_invalidate
 */
public record ConRsp(int magic, int version, int errno, int queueDepth, int maxIoSize, int maxHdrSize, int flags) {

    public static final int SIZE = RtrsProtocol.PRIVATE_DATA_SIZE;

    public static ConRsp accept(int queueDepth, int maxIoSize, int maxHdrSize, int flags) {
        return new ConRsp(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, queueDepth, maxIoSize, maxHdrSize, flags);
    }

    /** A reject carrying {@code -errno}. */
    public static ConRsp reject(int errno) {
        return new ConRsp(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, -Math.abs(errno), 0, 0, 0, 0);
    }

    /** Why a client cannot use this accept, or null: another protocol, an errno, or parameters it cannot work with. */
    public String acceptProblem() {
        if (magic != RtrsProtocol.MAGIC || version >> 8 != RtrsProtocol.VERSION_MAJOR) {
            return "server answered magic 0x" + Integer.toHexString(magic) + " version 0x"
                    + Integer.toHexString(version);
        }
        if (errno != 0) {
            return "server accepted with errno " + errno;
        }
        if (queueDepth == 0 || maxIoSize == 0 || maxHdrSize < ReadMsg.size(1)) {
            return "server offers queue depth " + queueDepth + ", max IO " + maxIoSize + ", max header " + maxHdrSize;
        }
        return null;
    }
}
