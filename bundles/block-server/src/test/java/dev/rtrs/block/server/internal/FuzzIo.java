package dev.rtrs.block.server.internal;

import dev.rtrs.test.support.Mutator;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.ReadMsg;
import dev.rtrs.transport.core.internal.wire.RtrsMessageType;
import dev.rtrs.transport.core.internal.wire.SgDesc;
import java.util.List;

/**
 * An IO case ready to go into one chunk, and how RTRS lays IO out in a chunk (the kernel's layout): a WRITE is
 * data, user header, WRITE message from the chunk's start; a READ is user header and READ message at the data's
 * length. The immediate's offset points at the RTRS message.
 *
 * @param chunkOffset    where in the chunk the image goes
 * @param image          the bytes RDMA-written there
 * @param imm            the immediate of the write
 * @param refuse         true when the request is invalid and must be refused; false when it is valid; null when
 *                       the case does not know
 * @param answered       false when no IO response is due (a heartbeat immediate)
 * @param what           what the case sends, for the report
 */
record FuzzIo(int chunkOffset, byte[] image, int imm, Boolean refuse, boolean answered, String what) {

    /** What a case needs of the link it runs on. */
    record Env(
            int queueDepth,
            int chunkSize,
            int memBits,
            int chunk,
            long targetAddress,
            int targetKey,
            List<Device> devices) {

        int maxIo() {
            return chunkSize - 4096;
        }
    }

    /** A device the session opened: its id, size in sectors, and whether the session may write it. */
    record Device(int id, long sectors, boolean writable, String name) {}

    static final int WRITE_MSG = 4;

    /** A WRITE: {@code dataLength} bytes of data, the header, the WRITE message (with {@code usrLen}). */
    static FuzzIo write(Env env, int dataLength, byte[] header, int usrLen, Boolean refuse, String what) {
        byte[] image = new byte[dataLength + header.length + WRITE_MSG];
        for (int i = 0; i < dataLength; i += 512) {
            image[i] = (byte) (i >>> 9);
        }
        System.arraycopy(header, 0, image, dataLength, header.length);
        int msg = dataLength + header.length;
        Mutator.put(image, msg, 2, RtrsMessageType.WRITE.wireValue());
        Mutator.put(image, msg + 2, 2, usrLen);
        return new FuzzIo(0, image, Imm.ioRequest(env.chunk(), msg, env.memBits()), refuse, true, what);
    }

    /** A READ of {@code dataLength} bytes into the chunk's target, with the given message fields. */
    static FuzzIo read(
            Env env,
            int dataLength,
            byte[] header,
            int usrLen,
            int flags,
            List<SgDesc> descs,
            Boolean refuse,
            String what) {
        byte[] image = new byte[header.length + ReadMsg.size(descs.size())];
        System.arraycopy(header, 0, image, 0, header.length);
        int msg = header.length;
        Mutator.put(image, msg, 2, RtrsMessageType.READ.wireValue());
        Mutator.put(image, msg + 2, 2, usrLen);
        Mutator.put(image, msg + 4, 2, flags);
        Mutator.put(image, msg + 6, 2, descs.size());
        for (int i = 0; i < descs.size(); i++) {
            int at = msg + ReadMsg.HEADER_SIZE + i * SgDesc.SIZE;
            Mutator.put(image, at, 8, descs.get(i).address());
            Mutator.put(image, at + 8, 4, descs.get(i).key());
            Mutator.put(image, at + 12, 4, descs.get(i).length());
        }
        int imm = Imm.ioRequest(env.chunk(), dataLength + header.length, env.memBits());
        return new FuzzIo(dataLength, image, imm, refuse, true, what);
    }

    /** A well-formed READ of {@code dataLength} bytes into this chunk's target. */
    static FuzzIo read(Env env, int dataLength, byte[] header, Boolean refuse, String what) {
        List<SgDesc> descs =
                dataLength == 0 ? List.of() : List.of(new SgDesc(env.targetAddress(), env.targetKey(), dataLength));
        return read(env, dataLength, header, header.length, 0, descs, refuse, what);
    }

    FuzzIo withImm(int value, Boolean refuseNow, boolean answeredNow, String whatNow) {
        return new FuzzIo(chunkOffset, image, value, refuseNow, answeredNow, whatNow);
    }
}
