package dev.rtrs.transport.core.internal.server;

import java.nio.ByteBuffer;

/**
 * A path's own memory for its session's chunks, and the views of each chunk that the IO path re-points per IO.
 * Every path of a session has a copy of its own, registered by that path alone: a chunk's memory is reachable
 * through exactly one rkey whatever the number of paths, so always_invalidate's fence closes every way into it, and
 * an IO that a client moves to another path after a break lands in that path's memory, never in the memory the
 * server may still be handling the first copy in.
 */
final class PathMemory {

    /** The whole block, as the chunk pool gave it. */
    final ByteBuffer block;

    private final ByteBuffer[] chunks;
    private final ByteBuffer[] writeViews;
    private final ByteBuffer[] readViews;

    PathMemory(ByteBuffer block, int queueDepth, int chunkSize) {
        this.block = block;
        this.chunks = new ByteBuffer[queueDepth];
        this.writeViews = new ByteBuffer[queueDepth];
        this.readViews = new ByteBuffer[queueDepth];
        for (int i = 0; i < queueDepth; i++) {
            ByteBuffer chunk = block.duplicate();
            chunk.limit((i + 1) * chunkSize).position(i * chunkSize);
            chunks[i] = chunk.slice();
            // a WRITE's data is the handler's to read only
            writeViews[i] = chunks[i].asReadOnlyBuffer();
            readViews[i] = chunks[i].duplicate();
        }
    }

    /** Chunk {@code bufId}'s memory: position 0, limit the chunk size. */
    ByteBuffer chunk(int bufId) {
        return chunks[bufId];
    }

    /** The read-only view a WRITE's handler gets. */
    ByteBuffer writeView(int bufId) {
        return writeViews[bufId];
    }

    /** The view a READ's handler fills. */
    ByteBuffer readView(int bufId) {
        return readViews[bufId];
    }
}
