package dev.rtrs.block.client.internal.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client's socket in non-blocking mode with a selector of its own, so that one thread (the connection's reader)
 * can wait for input and for room to write at once, and device completion threads can write replies without
 * ever blocking (see {@link NbdReplies}).
 *
 * <p>Input goes through a direct receive buffer: one read takes many request headers. Reads and waits happen on
 * the reader thread only; {@link #wakeup()} and {@link #wantWritable()} may be called from any thread.
 */
final class NbdSocket implements AutoCloseable {

    /** Receive buffer; a payload up to this size is read through it, larger ones straight into their buffer. */
    static final int RECEIVE_BUFFER = 64 * 1024;

    private static final int SMALL_PAYLOAD = 16 * 1024;

    final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    /** Unconsumed input between position and limit. */
    private final ByteBuffer rx = ByteBuffer.allocateDirect(RECEIVE_BUFFER).flip();

    private final Consumer<SelectionKey> onReady = this::ready;
    private Runnable onWritable = () -> {};
    private volatile boolean wantWritable;
    private boolean writable;
    /** System.nanoTime() after which waits fail; Long.MAX_VALUE for none. */
    private long deadline = Long.MAX_VALUE;

    NbdSocket(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, SelectionKey.OP_READ);
    }

    /** Called on the reader thread when the socket has room again after {@link #wantWritable()}. */
    void onWritable(Runnable action) {
        this.onWritable = action;
    }

    /** Every later wait fails after {@code timeoutNanos}; a negative value removes the deadline. */
    void deadline(long timeoutNanos) {
        deadline = timeoutNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    }

    /** Any thread: the reader should also wait for room to write and then call the writable action. */
    void wantWritable(boolean want) {
        wantWritable = want;
        if (want) {
            selector.wakeup();
        }
    }

    /** Any thread: ends the reader's current or next wait early. */
    void wakeup() {
        selector.wakeup();
    }

    /**
     * Reader thread: waits until input arrives ({@code read}), the socket has room to write after
     * {@link #wantWritable(boolean)}, {@link #wakeup()} was called, or the deadline passes (then it throws).
     */
    void await(boolean read) throws IOException {
        int ops = (read ? SelectionKey.OP_READ : 0) | (wantWritable ? SelectionKey.OP_WRITE : 0);
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
        long timeoutMs = 0;
        if (deadline != Long.MAX_VALUE) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("timed out");
            }
            timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
        }
        writable = false;
        selector.select(onReady, timeoutMs);
        if (!channel.isOpen()) {
            throw new EOFException();
        }
        if (writable) {
            onWritable.run();
        }
    }

    private void ready(SelectionKey k) {
        writable = k.isWritable();
    }

    // ---- input (reader thread) ----

    /** Makes at least {@code n} (at most {@link #RECEIVE_BUFFER}) bytes available in {@link #input()}. */
    void ensure(int n) throws IOException {
        while (rx.remaining() < n) {
            rx.compact();
            int r;
            try {
                r = channel.read(rx);
            } finally {
                rx.flip();
            }
            if (r < 0) {
                throw new EOFException();
            }
            if (r == 0) {
                await(true);
            }
        }
    }

    /** The receive buffer; read from its position (absolute gets, then {@link #consume}). */
    ByteBuffer input() {
        return rx;
    }

    void consume(int n) {
        rx.position(rx.position() + n);
    }

    int readInt() throws IOException {
        ensure(4);
        int v = rx.getInt(rx.position());
        consume(4);
        return v;
    }

    long readLong() throws IOException {
        ensure(8);
        long v = rx.getLong(rx.position());
        consume(8);
        return v;
    }

    /**
     * Fills {@code dst} from its position to its limit: what the receive buffer holds already is copied, a small
     * rest is read through the receive buffer (with the requests that follow it), a large rest straight into
     * {@code dst}.
     */
    void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (!rx.hasRemaining() && dst.remaining() > SMALL_PAYLOAD) {
                int r = channel.read(dst);
                if (r < 0) {
                    throw new EOFException();
                }
                if (r == 0) {
                    await(true);
                }
                continue;
            }
            if (!rx.hasRemaining()) {
                ensure(1);
            }
            int n = Math.min(rx.remaining(), dst.remaining());
            int limit = rx.limit();
            rx.limit(rx.position() + n);
            dst.put(rx);
            rx.limit(limit);
        }
    }

    /** Reads and drops {@code n} bytes (the payload of a refused write). */
    void skip(long n) throws IOException {
        while (n > 0) {
            ensure(1);
            int k = (int) Math.min(n, rx.remaining());
            consume(k);
            n -= k;
        }
    }

    // ---- output during negotiation (reader thread; no replies are in flight then) ----

    void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                wantWritable = true;
                try {
                    await(false);
                } finally {
                    wantWritable = false;
                }
            }
        }
    }

    /** Any thread: closes the socket and makes the reader's wait return. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to do: the socket is gone either way
        }
        selector.wakeup();
    }

    /** Reader thread, when it ends: releases the selector. */
    void release() {
        close();
        try {
            selector.close();
        } catch (IOException e) {
            // as above
        }
    }
}
