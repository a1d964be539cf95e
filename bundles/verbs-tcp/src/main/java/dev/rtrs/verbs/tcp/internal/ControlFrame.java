package dev.rtrs.verbs.tcp.internal;

import java.nio.ByteBuffer;

/**
 * A frame the socket itself sends (connection management, ACK, NAK, READ response), pooled per socket. A READ
 * response holds a guarded view of the memory it sends until it has left.
 */
final class ControlFrame {

    FrameType type;
    final ByteBuffer header = ByteBuffer.allocateDirect(FrameCodec.HEADER_SIZE);
    /** Private data of connection-management frames. */
    final ByteBuffer privateData = ByteBuffer.allocateDirect(FrameCodec.MAX_PRIVATE_DATA);
    /** Payload to send after the header: {@link #privateData}, a view of registered memory, or {@code null}. */
    ByteBuffer payload;
    /** The region {@link #payload} views (READ response), whose guard is held. */
    TcpMemoryRegion region;
    /** Where the view of {@link #region} came from. */
    private ViewPool pool;

    void clear() {
        type = null;
        payload = null;
        region = null;
    }

    /** Makes the payload a copy of {@code data} (at most {@link FrameCodec#MAX_PRIVATE_DATA} bytes). */
    void carryPrivateData(byte[] data) {
        payload = privateData.clear().put(data).flip();
    }

    /**
     * Makes the payload {@code len} bytes of {@code m} (whose guard the caller holds) at device address {@code addr},
     * in a view from {@code from}.
     */
    void send(ViewPool from, TcpMemoryRegion m, long addr, int len) {
        pool = from;
        region = m;
        payload = from.lend(m, addr, len);
    }

    /** Ends the READ response's access to its region and gives its view back. */
    void releaseRegion() {
        if (region != null) {
            pool.giveBack(region, payload);
            region.release();
            region = null;
            payload = null;
            pool = null;
        }
    }

    /** Frames whose header carries the socket's current acknowledgement. */
    boolean carriesAck() {
        return !type.isConnectionManagement();
    }
}
