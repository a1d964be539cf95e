package dev.rtrs.verbs.tcp.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Where the payload of the frame being read goes. Data is read from the socket straight into views of the
 * target memory, together with the next frame's header in the same scattering read, so no payload byte is
 * ever copied through an intermediate buffer. Payloads that must not land anywhere are drained into a
 * scratch buffer; private data of connection-management frames into a small one.
 *
 * <p>Before each read the target regions are told a copy starts ({@link TcpMemoryRegion#beginCopy}); a region
 * closed meanwhile turns the rest of the payload into a drain and marks the placement aborted.
 */
final class Placement {

    enum Kind {
        SCATTER,
        DISCARD,
        BYTES
    }

    private final SgList own;
    private final ByteBuffer[] scatter;
    private final ByteBuffer drain = ByteBuffer.allocateDirect(64 * 1024);
    private final ByteBuffer bytes = ByteBuffer.allocateDirect(FrameCodec.MAX_PRIVATE_DATA);
    private SgList list;
    private boolean owned;
    private Kind kind = Kind.DISCARD;
    private long remaining;
    private boolean aborted;

    Placement(int maxSge) {
        own = new SgList(maxSge);
        scatter = new ByteBuffer[maxSge + 1];
    }

    /** The list a responder fills with guarded views, then passes to {@link #scatter(SgList, boolean, long)}. */
    SgList own() {
        return own;
    }

    /** Places {@code length} bytes into {@code views}; {@code owned} lists are released by {@link #release()}. */
    void scatter(SgList views, boolean isOwned, long length) {
        list = views;
        owned = isOwned;
        kind = Kind.SCATTER;
        remaining = length;
        aborted = false;
    }

    void discard(long length) {
        list = null;
        kind = Kind.DISCARD;
        remaining = length;
        aborted = false;
    }

    void bytes(int length) {
        list = null;
        kind = Kind.BYTES;
        bytes.clear().limit(length);
        remaining = length;
        aborted = false;
    }

    long remaining() {
        return remaining;
    }

    boolean aborted() {
        return aborted;
    }

    Kind kind() {
        return kind;
    }

    /** The private data read by a BYTES placement. */
    byte[] takeBytes() {
        byte[] data = new byte[bytes.position()];
        bytes.flip().get(data);
        return data;
    }

    /**
     * Reads the rest of the payload (as much as the socket has) and then into {@code next}, the empty header
     * buffer of the following frame.
     *
     * @return bytes read, -1 at end of stream
     */
    long read(SocketChannel channel, ByteBuffer next) throws IOException {
        int n = 0;
        boolean copying = false;
        if (kind == Kind.SCATTER) {
            for (int i = 0; i < list.count; i++) {
                if (!list.regions[i].beginCopy()) {
                    endCopies(i);
                    abandon();
                    break;
                }
            }
            copying = kind == Kind.SCATTER;
        }
        // the next header joins the read only when the buffers before it take the whole rest of the payload
        boolean whole = true;
        switch (kind) {
            case SCATTER -> {
                for (int i = 0; i < list.count; i++) {
                    if (list.views[i].hasRemaining()) {
                        scatter[n++] = list.views[i];
                    }
                }
            }
            case DISCARD -> {
                drain.clear().limit((int) Math.min(drain.capacity(), remaining));
                whole = remaining <= drain.capacity();
                scatter[n++] = drain;
            }
            case BYTES -> scatter[n++] = bytes;
            default -> throw new IllegalStateException();
        }
        if (whole) {
            scatter[n++] = next;
        }
        long read;
        try {
            read = channel.read(scatter, 0, n);
        } finally {
            if (copying) {
                endCopies(list.count);
            }
            for (int i = 0; i < n; i++) {
                scatter[i] = null;
            }
        }
        if (read > 0) {
            remaining -= read - next.position();
        }
        return read;
    }

    private void endCopies(int upTo) {
        for (int i = 0; i < upTo; i++) {
            list.regions[i].endCopy();
        }
    }

    /**
     * Stops placing: the rest of the payload is drained and the placement counts as aborted. Owned views are
     * released; borrowed ones stay with their owner.
     */
    void abandon() {
        if (kind == Kind.SCATTER) {
            if (owned) {
                own.release();
            }
            list = null;
            kind = Kind.DISCARD;
            aborted = true;
        }
    }

    /** Ends the frame: releases owned views. */
    void release() {
        if (kind == Kind.SCATTER && owned) {
            own.release();
        }
        list = null;
        kind = Kind.DISCARD;
        remaining = 0;
    }
}
