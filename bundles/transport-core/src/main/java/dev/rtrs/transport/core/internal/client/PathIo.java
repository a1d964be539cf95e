package dev.rtrs.transport.core.internal.client;

import dev.rtrs.transport.Direction;
import dev.rtrs.transport.core.internal.conn.Connection;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.WireFormatException;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WorkCompletion;
import java.nio.ByteBuffer;

/** What one path posts for an IO and what it does with the IO's response; {@link ClientPath} owns the state. */
final class PathIo {

    private PathIo() {}

    /**
     * Posts {@code io} on connection {@code c} of {@code path}: a READ with data and a {@code fence} first gives its
     * region a fresh key, whose REG_MR precedes the request in the same send queue.
     *
     * @return false when the path cannot carry the IO now (nothing of it is in flight there)
     */
    static boolean post(
            ClientPath path,
            Connection c,
            ClientIo io,
            MemoryRegion permitRegion,
            ReadFence fence,
            long chunkAddress,
            int chunkKey,
            int memBits) {
        if (c == null) {
            return false;
        }
        int bufId = io.id();
        boolean fenced = fence != null && io.direction() == Direction.READ && io.dataLength() > 0;
        SendWorkRequest register = fenced ? fence.rekey(bufId) : null;
        if (fenced && register == null) {
            return false;
        }
        io.path(path);
        path.counters.ioStarted();
        MemoryRegion readRegion = fenced ? fence.region(bufId) : null;
        if (fenced && !c.post(register)
                || !c.post(io.request(permitRegion, readRegion, chunkAddress, chunkKey, memBits))) {
            path.counters.ioLeft();
            return false;
        }
        return true;
    }

    /**
     * An IO_RSP or IO_RSP_W_INV arrived on {@code c}: takes the chunk's new key from an RKEY_RSP, holds a fenced READ
     * back until its key is invalidated, and completes the IO.
     *
     * @param chunkKey the path's chunk keys, updated by an RKEY_RSP
     * @return the protocol error the response makes, or null
     */
    static String onResponse(
            ClientSessionImpl session,
            ClientPath path,
            int[] chunkKey,
            ReadFence fence,
            Connection c,
            WorkCompletion wc,
            ByteBuffer slot,
            int imm,
            boolean withInvalidate) {
        int payload = Imm.payload(imm);
        int msgId = Imm.responseMsgId(payload);
        int errno = Imm.responseErrno(payload);
        if (wc.opcode() == WcOpcode.RECV) {
            // SEND_WITH_IMM: the response carries RKEY_RSP, the chunk's new key, to use before completing
            try {
                RtrsCodec.checkRkeyRsp(slot, 0, slot.remaining());
            } catch (WireFormatException e) {
                return e.getMessage();
            }
            int bufId = RtrsCodec.rkeyRspBufId(slot, 0);
            if (bufId != msgId || msgId >= chunkKey.length) {
                return "RKEY_RSP for chunk " + bufId + " in the response of " + msgId;
            }
            chunkKey[msgId] = RtrsCodec.rkeyRspKey(slot, 0);
        }
        ClientIo io = session.inFlight(path, msgId);
        if (io != null && io.fenced() && fence != null && fence.holdBack(c, io, errno, withInvalidate)) {
            return null;
        }
        if (!session.complete(path, msgId, errno)) {
            return "response for chunk " + msgId + " which has no IO in flight on this path";
        }
        return null;
    }
}
