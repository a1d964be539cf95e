package dev.rtrs.transport.core.internal.server;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.RtrsMessageType;
import dev.rtrs.transport.core.internal.wire.RtrsProtocol;
import dev.rtrs.transport.core.internal.wire.WireFormatException;
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
            int headerStart = offset - RtrsCodec.checkWriteMsg(chunk, offset, available);
            if (headerStart > maxIoSize) {
                throw new WireFormatException(Errno.EINVAL, "WRITE of " + headerStart + " bytes above " + maxIoSize);
            }
            io.prepareWrite(headerStart, offset);
            return;
        }
        // read field by field: the IO path builds no message object
        int descriptors = RtrsCodec.checkReadMsg(chunk, offset, available);
        // as the kernel's server: the client's data arrives in one buffer, or none
        if (descriptors > 1) {
            throw new WireFormatException(Errno.EINVAL, "READ with " + descriptors + " descriptors, one at most");
        }
        long bufferLength = descriptors == 0 ? 0 : RtrsCodec.readDescLength(chunk, offset, 0);
        if (bufferLength > chunkSize) {
            throw new WireFormatException(
                    Errno.EINVAL, "READ descriptor of " + bufferLength + " bytes above the chunk size");
        }
        int dataLength = offset - RtrsCodec.readMsgUsrLen(chunk, offset);
        if (dataLength > maxIoSize) {
            throw new WireFormatException(Errno.EINVAL, "READ of " + dataLength + " bytes above " + maxIoSize);
        }
        if (bufferLength < dataLength) {
            throw new WireFormatException(
                    Errno.EINVAL, "READ of " + dataLength + " bytes into buffers of " + bufferLength);
        }
        boolean needInvalidate = (RtrsCodec.readMsgFlags(chunk, offset) & RtrsProtocol.FLAG_NEED_INVAL) != 0;
        if (needInvalidate && descriptors == 0) {
            throw new WireFormatException(Errno.EINVAL, "READ asks to invalidate but names no buffer");
        }
        io.prepareRead(dataLength, offset, needInvalidate);
        if (descriptors == 1) {
            io.readBuffer(RtrsCodec.readDescAddress(chunk, offset, 0), RtrsCodec.readDescKey(chunk, offset, 0), (int)
                    bufferLength);
        }
    }
}
