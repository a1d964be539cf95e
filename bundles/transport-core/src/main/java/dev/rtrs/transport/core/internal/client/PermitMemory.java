package dev.rtrs.transport.core.internal.client;

import dev.rtrs.errno.Errno;
import dev.rtrs.transport.TransportException;
import dev.rtrs.transport.core.internal.wire.ConRsp;
import java.nio.ByteBuffer;

/**
 * A session's permits and the one block of memory behind them: one permit per server chunk (at most
 * {@link #MAX_QUEUE_DEPTH}), each with a buffer of one chunk. Sized by the first path's CON_RSP; every later path
 * registers the same memory and must offer the same chunks.
 */
final class PermitMemory {

    /** Most permits a client session uses, whatever the server grants (it sizes the receive queues). */
    static final int MAX_QUEUE_DEPTH = 1024;

    private final ByteBuffer memory;
    private final ClientIo[] ios;
    private final PermitPool pool;
    private final int chunkSize;
    private final int maxIoSize;
    private final int maxHeaderSize;

    PermitMemory(ConRsp rsp, int userAreaSize) {
        int depth = Math.min(rsp.queueDepth(), MAX_QUEUE_DEPTH);
        this.chunkSize = rsp.maxIoSize() + rsp.maxHdrSize();
        this.maxIoSize = rsp.maxIoSize();
        this.maxHeaderSize = rsp.maxHdrSize();
        this.memory = ByteBuffer.allocateDirect(depth * chunkSize);
        this.ios = new ClientIo[depth];
        for (int i = 0; i < depth; i++) {
            int base = i * chunkSize;
            ByteBuffer b = memory.duplicate();
            b.limit(base + chunkSize).position(base);
            ios[i] = new ClientIo(i, userAreaSize, base, b.slice());
        }
        this.pool = new PermitPool(ios);
    }

    /** Checks that a later path offers what the permits were sized for. */
    void checkCompatible(ConRsp rsp, String path) throws TransportException {
        int chunk = rsp.maxIoSize() + rsp.maxHdrSize();
        if (chunk != chunkSize || rsp.queueDepth() < ios.length) {
            throw new TransportException(
                    Errno.EINVAL,
                    "path " + path + " offers " + rsp.queueDepth() + " chunks of " + chunk + " bytes, the session uses "
                            + ios.length + " of " + chunkSize);
        }
    }

    /** The memory every path registers for the server to write READ data into. */
    ByteBuffer memory() {
        return memory;
    }

    PermitPool pool() {
        return pool;
    }

    int queueDepth() {
        return ios.length;
    }

    int chunkSize() {
        return chunkSize;
    }

    int maxIoSize() {
        return maxIoSize;
    }

    int maxHeaderSize() {
        return maxHeaderSize;
    }

    /** The permit of chunk {@code id}, or null when there is none. */
    ClientIo io(int id) {
        return id >= 0 && id < ios.length ? ios[id] : null;
    }

    /** The permit object itself when it belongs to these permits. */
    ClientIo own(Object permit) {
        if (permit instanceof ClientIo io && io(io.id()) == io) {
            return io;
        }
        return null;
    }

    ClientIo[] all() {
        return ios.clone();
    }
}
