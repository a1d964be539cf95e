package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.transport.log.RateLimitedLog;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NBD client connection on one thread: negotiation ({@link NbdNegotiation}), then the transmission phase
 * with simple replies. The thread reads and parses requests and submits them to the device; WRITE payloads land
 * in pooled direct buffers ({@link NbdBufferPool}) that the device takes as they are. Replies, possibly out of
 * order and matched by handle, are written by the thread that completes them ({@link NbdReplies}).
 *
 * <p>In steady state a request allocates nothing and takes no lock of ours. Memory per connection is bounded
 * whatever the client sends: {@link NbdServer.Options#bufferBytes()} of data buffers, a
 * {@value NbdSocket#RECEIVE_BUFFER}-byte receive buffer, {@value #SLOTS} request slots, and during negotiation
 * one option of at most {@value Nbd#MAX_OPTION_LENGTH} bytes.
 */
final class NbdConnection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(NbdConnection.class);
    private static final RateLimitedLog WARN = RateLimitedLog.of(LOG);
    /** Requests in flight per connection at the most; beyond, the connection stops reading. */
    static final int SLOTS = 64;

    private static final long DISCONNECT_WAIT = TimeUnit.SECONDS.toNanos(30);

    private final NbdSocket socket;
    private final NbdExports exports;
    private final String peer;
    private final NbdServer.Options options;
    private final NbdReplies replies;
    private final NbdBufferPool pool;
    private volatile boolean closing;
    /** The export this connection uses, once negotiated; null before. */
    private volatile String export;

    NbdConnection(SocketChannel channel, NbdExports exports, String peer, NbdServer.Options options)
            throws IOException {
        this.socket = new NbdSocket(channel);
        this.exports = exports;
        this.peer = peer;
        this.options = options;
        this.replies = new NbdReplies(socket);
        this.pool = new NbdBufferPool(socket, replies, SLOTS, options.bufferBytes());
        replies.pool(pool);
    }

    @Override
    public void run() {
        try {
            socket.deadline(options.negotiationTimeout().toNanos());
            BlockDevice device = new NbdNegotiation(socket, exports, peer).run();
            socket.deadline(-1);
            if (device != null) {
                LOG.info("NBD client {} uses export {}", peer, device.name());
                export = device.name();
                transmit(device);
            }
        } catch (EOFException | ClosedSelectorException e) {
            LOG.debug("NBD client {} went away", peer);
        } catch (SocketTimeoutException e) {
            WARN.warn(
                    "nbd-negotiation-timeout",
                    "NBD client {} did not finish negotiating within {} ms; closing its connection",
                    peer,
                    options.negotiationTimeout().toMillis());
        } catch (IOException | Nbd.ProtocolViolation e) {
            if (!closing) {
                WARN.warn("nbd-client-error", "NBD client {}: {}; closing its connection", peer, e.getMessage());
            }
        } finally {
            replies.drop();
            socket.release();
        }
    }

    // ---- transmission (reader thread) ----

    private void transmit(BlockDevice device) throws IOException, Nbd.ProtocolViolation {
        ByteBuffer in = socket.input();
        while (true) {
            socket.ensure(Nbd.REQUEST_HEADER);
            int p = in.position();
            int magic = in.getInt(p);
            int flags = in.getShort(p + 4) & 0xFFFF;
            int type = in.getShort(p + 6) & 0xFFFF;
            long handle = in.getLong(p + 8);
            long offset = in.getLong(p + 16);
            long length = Integer.toUnsignedLong(in.getInt(p + 24));
            socket.consume(Nbd.REQUEST_HEADER);
            if (magic != Nbd.REQUEST_MAGIC) {
                throw new Nbd.ProtocolViolation("request without magic");
            }
            if (type == Nbd.CMD_DISC) {
                if (!pool.awaitIdle(DISCONNECT_WAIT)) {
                    LOG.debug("NBD client {}: replies still unwritten at disconnect", peer);
                }
                return;
            }
            if (type == Nbd.CMD_WRITE && length > Nbd.MAX_REQUEST) {
                // its payload cannot be skipped at a bounded cost: the stream is lost
                throw new Nbd.ProtocolViolation("write of " + length + " bytes");
            }
            NbdRequest r = pool.takeSlot();
            r.start(device, handle);
            int error = check(device, type, flags, offset, length);
            if (error != 0) {
                if (type == Nbd.CMD_WRITE) {
                    socket.skip(length);
                }
                r.finish(error);
                continue;
            }
            submit(device, r, type, flags, offset, (int) Math.min(length, Integer.MAX_VALUE), length);
        }
    }

    /** The NBD error a request fails with before it reaches the device, or 0. */
    private static int check(BlockDevice device, int type, int flags, long offset, long length) {
        boolean known = type == Nbd.CMD_READ
                || type == Nbd.CMD_WRITE
                || type == Nbd.CMD_FLUSH
                || type == Nbd.CMD_TRIM
                || type == Nbd.CMD_WRITE_ZEROES;
        if (!known || (flags & ~Nbd.allowedFlags(type)) != 0 || offset < 0) {
            return Nbd.EINVAL;
        }
        boolean data = type == Nbd.CMD_READ || type == Nbd.CMD_WRITE;
        if (data && (length > Nbd.MAX_REQUEST || offset > device.size() - length)) {
            // refused before a buffer is taken for it; the device would refuse it the same way
            return Nbd.EINVAL;
        }
        if (type != Nbd.CMD_READ && type != Nbd.CMD_FLUSH && device.isReadOnly()) {
            return Nbd.EPERM;
        }
        return 0;
    }

    private void submit(BlockDevice device, NbdRequest r, int type, int flags, long offset, int size, long length)
            throws IOException {
        boolean fua = (flags & Nbd.CMD_FLAG_FUA) != 0;
        switch (type) {
            case Nbd.CMD_READ -> {
                if (!pool.takeBuffer(r, size)) {
                    r.finish(Nbd.ENOMEM);
                    return;
                }
                r.replyWithData();
                device.read(offset, r.buffer, r);
            }
            case Nbd.CMD_WRITE -> {
                if (!pool.takeBuffer(r, size)) {
                    socket.skip(length);
                    r.finish(Nbd.ENOMEM);
                    return;
                }
                socket.readFully(r.buffer);
                device.write(offset, r.buffer.flip(), fua ? BlockDevice.FUA : 0, r);
            }
            case Nbd.CMD_FLUSH -> device.flush(r);
            case Nbd.CMD_TRIM -> device.discard(offset, length, r);
            default -> {
                if (fua) {
                    r.flushAfter();
                }
                device.writeZeroes(offset, length, r);
            }
        }
    }

    /** The export this connection uses; null while it negotiates. */
    String export() {
        return export;
    }

    /** Bytes of data buffers the connection holds now (reader's view, for tests and statistics). */
    long bufferBytes() {
        return pool.allocated();
    }

    /**
     * Any thread: closes the connection at once; requests in flight get no reply. The reader thread ends on its
     * own, its buffers are dropped when the last completion came.
     */
    void close() {
        closing = true;
        socket.close();
    }
}
