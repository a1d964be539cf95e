package dev.rtrs.transport.core.internal.server;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The chunk memory of closed sessions, kept for the next ones. Direct memory is given back only when the garbage
 * collector gets to it, so a peer that opens and closes sessions quickly could otherwise make the server hold far
 * more than its session limit allows; reusing the blocks bounds it by the sessions held at once.
 */
final class ChunkPool {

    private final int blockSize;
    private final int maxIdle;
    private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>();

    ChunkPool(int blockSize, int maxIdle) {
        this.blockSize = blockSize;
        this.maxIdle = maxIdle;
    }

    /** A block for a new session, zeroed: nothing of the previous session is left in it. */
    ByteBuffer take() {
        ByteBuffer block;
        synchronized (this) {
            block = idle.poll();
        }
        if (block == null) {
            return ByteBuffer.allocateDirect(blockSize);
        }
        for (int i = 0; i + 8 <= blockSize; i += 8) {
            block.putLong(i, 0L);
        }
        return block;
    }

    /** A closed session's block, once none of its chunks is in use any more. */
    synchronized void give(ByteBuffer block) {
        if (idle.size() < maxIdle) {
            idle.push(block);
        }
    }

    synchronized int idleBlocks() {
        return idle.size();
    }
}
