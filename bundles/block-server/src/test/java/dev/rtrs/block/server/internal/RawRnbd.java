package dev.rtrs.block.server.internal;

import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdOpen;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.block.protocol.RnbdSessInfo;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.Permit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An RNBD client written by hand on a raw RTRS session: it sends what the real client never would. */
final class RawRnbd implements AutoCloseable {

    final ClientSession session;

    RawRnbd(RnbdFixture f, String name) throws Exception {
        session = f.transport.open(
                ClientSessionOptions.builder(name)
                        .paths(PathAddress.parse("127.0.0.1", f.port))
                        .connectionsPerPath(1)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build(),
                null);
        ByteBuffer info = ByteBuffer.allocate(RnbdSessInfo.SIZE);
        RnbdCodec.encode(new RnbdSessInfo(2), info, 0);
        request(Direction.READ, info, ByteBuffer.allocate(36));
    }

    /** Opens a device; returns its id, or throws with the errno. */
    int open(String device, AccessMode mode) throws Exception {
        ByteBuffer msg = ByteBuffer.allocate(RnbdOpen.SIZE);
        RnbdCodec.encode(new RnbdOpen(mode, device), msg, 0);
        ByteBuffer rsp = ByteBuffer.allocate(RnbdOpenRsp.SIZE);
        int errno = request(Direction.READ, msg, rsp);
        if (errno != 0) {
            throw new IllegalStateException("open " + device + ": errno " + errno);
        }
        return RnbdCodec.decodeOpenRsp(rsp, 0, rsp.capacity()).deviceId();
    }

    /** Sends one request with an arbitrary user header; returns the server's errno. */
    int request(Direction direction, ByteBuffer header, ByteBuffer... data) throws Exception {
        Permit p = session.acquirePermit();
        try {
            CompletableFuture<Integer> done = new CompletableFuture<>();
            session.submit(p, direction, header.duplicate(), data, done::complete);
            return done.get(20, TimeUnit.SECONDS);
        } finally {
            session.releasePermit(p);
        }
    }

    /** An IO message with raw fields, as the C struct lays them out. */
    static ByteBuffer io(int deviceId, long sector, int rw, int length) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 4)
                .putInt(4, deviceId)
                .putLong(8, sector)
                .putInt(16, rw)
                .putInt(20, length);
        return b;
    }

    @Override
    public void close() {
        session.close();
    }
}
