package dev.rtrs.transport.core.internal.server;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The server's chunk memory: one block of {@code queueDepth x chunkSize} bytes per connected path, at most
 * {@code maxBlocks} of them ever. A closed path's block is kept for the next path rather than left to the garbage
 * collector, which gives direct memory back only when it gets to it: a peer that opens and closes paths quickly
 * cannot make the server hold more than the limit.
 */
final class ChunkPool {

    private final int blockSize;
    private final int maxBlocks;
    private final ArrayDeque<ByteBuffer> idle = new ArrayDeque<>();
    /** Blocks allocated so far, idle or in use; guarded by this. */
    private int allocated;

    ChunkPool(int blockSize, int maxBlocks) {
        this.blockSize = blockSize;
        this.maxBlocks = maxBlocks;
    }

    /**
     * A block for a new path, zeroed: nothing of the previous path is left in it; null when every block the limit
     * allows is in use, or the JVM has no direct memory left for a new one.
     */
    ByteBuffer take() {
        ByteBuffer block;
        synchronized (this) {
            block = idle.poll();
            if (block == null) {
                if (allocated >= maxBlocks) {
                    return null;
                }
                allocated++;
            }
        }
        if (block == null) {
            try {
                return ByteBuffer.allocateDirect(blockSize);
            } catch (OutOfMemoryError e) {
                synchronized (this) {
                    allocated--;
                }
                return null;
            }
        }
        for (int i = 0; i + 8 <= blockSize; i += 8) {
            block.putLong(i, 0L);
        }
        return block;
    }

    /** A closed path's block, once none of its chunks is in use any more. */
    synchronized void give(ByteBuffer block) {
        idle.push(block);
    }

    synchronized int idleBlocks() {
        return idle.size();
    }

    synchronized int blocksInUse() {
        return allocated - idle.size();
    }
}
