package dev.rtrs.verbs.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * The frames waiting to be written on one connection, as one array of buffers (headers and views of
 * registered memory, never copies) so that one gathering write sends as many frames as the socket takes.
 * Remembers which frame ends at which buffer to tell the connection when each frame has left.
 */
final class Gather {

    /** Linux's IOV_MAX: the most buffers one writev takes. */
    static final int MAX_BUFFERS = 1024;

    /** Told about frames that left, or were dropped before they left. */
    interface FrameSink {
        void frameWritten(Object owner);

        void frameDropped(Object owner);
    }

    private final ByteBuffer[] buffers = new ByteBuffer[MAX_BUFFERS];
    private final Object[] owners = new Object[MAX_BUFFERS];
    private final int[] lastBuffer = new int[MAX_BUFFERS];
    private int start;
    private int end;
    private int frameStart;
    private int frameEnd;

    /** Frames added since the gather was last empty. */
    int frames() {
        return frameEnd;
    }

    boolean hasPending() {
        return start < end;
    }

    /** Whether a frame of {@code n} buffers fits. */
    boolean hasRoom(int n) {
        return end + n <= MAX_BUFFERS && frameEnd < MAX_BUFFERS;
    }

    void add(ByteBuffer buffer) {
        buffers[end++] = buffer;
    }

    /** Closes the frame made of the buffers added since the last call. */
    void endFrame(Object owner) {
        owners[frameEnd] = owner;
        lastBuffer[frameEnd] = end - 1;
        frameEnd++;
    }

    /** One gathering write; reports the frames that left completely. */
    long write(GatheringByteChannel channel, FrameSink sink) throws IOException {
        long n = channel.write(buffers, start, end - start);
        while (start < end && !buffers[start].hasRemaining()) {
            buffers[start++] = null;
        }
        while (frameStart < frameEnd && lastBuffer[frameStart] < start) {
            Object owner = owners[frameStart];
            owners[frameStart++] = null;
            sink.frameWritten(owner);
        }
        if (start == end) {
            start = end = frameStart = frameEnd = 0;
        }
        return n;
    }

    /** Forgets every pending frame (the connection is closing). */
    void drop(FrameSink sink) {
        while (frameStart < frameEnd) {
            Object owner = owners[frameStart];
            owners[frameStart++] = null;
            sink.frameDropped(owner);
        }
        for (int i = start; i < end; i++) {
            buffers[i] = null;
        }
        start = end = frameStart = frameEnd = 0;
    }
}
