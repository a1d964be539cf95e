package dev.rtrs.transport.core.internal.server;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.core.internal.wire.ReadMsg;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.RtrsMessageType;
import dev.rtrs.transport.core.internal.wire.WireFormatException;
import dev.rtrs.transport.core.internal.wire.WriteMsg;
import java.nio.ByteBuffer;

/**
 * What a fenced chunk holds, read as the kernel's server reads it. WRITE: data at [0, off - usr_len), the user header,
 * the message at the immediate's offset. READ: the user header and the message at data_len, so data_len =
 * off - usr_len, and at most one descriptor for the data to go to. Everything is checked before the IO is prepared.
 */
final class IoLayout {

    private IoLayout() {}

    /**
     * Prepares {@code io} for the application from the message at {@code offset}.
     *
     * @throws WireFormatException with the errno to answer, for a message the chunk cannot hold or the server refuses
     */
    static void prepare(ServerIo io, int offset, int available, int chunkSize, int maxIoSize)
            throws WireFormatException {
        ByteBuffer chunk = io.chunk;
        RtrsMessageType type = RtrsCodec.ioMessageType(chunk, offset, available);
        if (type == RtrsMessageType.WRITE) {
            WriteMsg msg = RtrsCodec.decodeWriteMsg(chunk, offset, available);
            int headerStart = offset - msg.usrLen();
            if (headerStart > maxIoSize) {
                throw new WireFormatException(Errno.EINVAL, "WRITE of " + headerStart + " bytes above " + maxIoSize);
            }
            io.prepareWrite(headerStart, offset);
            return;
        }
        ReadMsg msg = RtrsCodec.decodeReadMsg(chunk, offset, available);
        // as the kernel's server: the client's data arrives in one buffer, or none
        if (msg.buffers().size() > 1) {
            throw new WireFormatException(
                    Errno.EINVAL, "READ with " + msg.buffers().size() + " descriptors, one at most");
        }
        if (!msg.buffers().isEmpty() && msg.buffers().get(0).length() > chunkSize) {
            throw new WireFormatException(
                    Errno.EINVAL,
                    "READ descriptor of " + msg.buffers().get(0).length() + " bytes above the chunk size");
        }
        int dataLength = offset - msg.usrLen();
        if (dataLength > maxIoSize) {
            throw new WireFormatException(Errno.EINVAL, "READ of " + dataLength + " bytes above " + maxIoSize);
        }
        if (msg.totalLength() < dataLength) {
            throw new WireFormatException(
                    Errno.EINVAL, "READ of " + dataLength + " bytes into buffers of " + msg.totalLength());
        }
        if (msg.needInvalidate() && msg.buffers().isEmpty()) {
            throw new WireFormatException(Errno.EINVAL, "READ asks to invalidate but names no buffer");
        }
        io.prepareRead(dataLength, offset, msg.buffers(), msg.needInvalidate());
    }
}
