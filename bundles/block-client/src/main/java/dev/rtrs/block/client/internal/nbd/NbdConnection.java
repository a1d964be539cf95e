package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.transport.log.RateLimitedLog;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SocketChannel;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NBD client connection on one thread: negotiation ({@link NbdNegotiation}), then the transmission phase
 * with the headers agreed there ({@link NbdTransmission}). The thread reads and parses requests, checks them and
 * submits them to the device; WRITE payloads land in pooled direct buffers ({@link NbdBufferPool}) that the device
 * takes as they are. Replies, possibly out of order and matched by cookie, are written by the thread that
 * completes them ({@link NbdReplies}), each as one simple reply or one chunk ({@link NbdRequest#finish}).
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
            NbdTransmission agreed = new NbdNegotiation(socket, exports, peer).run();
            socket.deadline(-1);
            if (agreed != null) {
                LOG.info(
                        "NBD client {} uses export {} ({} replies{})",
                        peer,
                        agreed.device().name(),
                        agreed.mode().name().toLowerCase(Locale.ROOT),
                        agreed.allocationContext() ? ", base:allocation" : "");
                export = agreed.device().name();
                transmit(agreed);
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

    private void transmit(NbdTransmission t) throws IOException, Nbd.ProtocolViolation {
        ByteBuffer in = socket.input();
        NbdHeaderMode mode = t.mode();
        boolean extended = mode == NbdHeaderMode.EXTENDED;
        int headerBytes = mode.requestHeaderBytes();
        while (true) {
            socket.ensure(headerBytes);
            int p = in.position();
            int magic = in.getInt(p);
            int flags = in.getShort(p + 4) & 0xFFFF;
            int type = in.getShort(p + 6) & 0xFFFF;
            long cookie = in.getLong(p + 8);
            long offset = in.getLong(p + 16);
            long length = extended ? in.getLong(p + 24) : Integer.toUnsignedLong(in.getInt(p + 24));
            socket.consume(headerBytes);
            if (magic != mode.requestMagic()) {
                throw new Nbd.ProtocolViolation("request without magic 0x" + Integer.toHexString(mode.requestMagic()));
            }
            if (type == Nbd.CMD_DISC) {
                if (!pool.awaitIdle(DISCONNECT_WAIT)) {
                    LOG.debug("NBD client {}: replies still unwritten at disconnect", peer);
                }
                return;
            }
            // the payload that follows the header: a compact WRITE's data, or what an extended header announces
            long payload = extended
                    ? ((flags & Nbd.CMD_FLAG_PAYLOAD_LEN) != 0 ? length : 0)
                    : (type == Nbd.CMD_WRITE ? length : 0);
            if (payload < 0 || payload > Nbd.MAX_REQUEST) {
                // a payload that large cannot be skipped at a bounded cost: the stream is lost
                throw new Nbd.ProtocolViolation(
                        "request " + type + " with a payload of " + Long.toUnsignedString(payload) + " bytes");
            }
            NbdRequest r = pool.takeSlot();
            r.start(t, type, cookie, offset, length);
            int error = t.check(type, flags, offset, length);
            if (error != 0) {
                socket.skip(payload);
                r.finish(error);
                continue;
            }
            submit(t, r, type, flags, offset, length);
        }
    }

    /** Submits a request that passed the checks; a zero length is answered here, as success. */
    private void submit(NbdTransmission t, NbdRequest r, int type, int flags, long offset, long length)
            throws IOException {
        BlockDevice device = t.device();
        boolean fua = (flags & Nbd.CMD_FLAG_FUA) != 0;
        if (length == 0 && type != Nbd.CMD_FLUSH) {
            r.finish(0);
            return;
        }
        switch (type) {
            case Nbd.CMD_READ -> {
                if (!pool.takeBuffer(r, (int) length)) {
                    r.finish(Nbd.ENOMEM);
                    return;
                }
                device.read(offset, r.buffer, r);
            }
            case Nbd.CMD_WRITE -> {
                if (!pool.takeBuffer(r, (int) length)) {
                    socket.skip(length);
                    r.finish(Nbd.ENOMEM);
                    return;
                }
                socket.readFully(r.buffer);
                device.write(offset, r.buffer.flip(), fua ? BlockDevice.FUA : 0, r);
            }
            case Nbd.CMD_FLUSH -> device.flush(r);
            case Nbd.CMD_TRIM -> {
                if (fua) {
                    r.flushAfter();
                }
                device.discard(offset, length, r);
            }
            // a hint; neither a mapped device nor a backend has a cache the gateway could warm
            case Nbd.CMD_CACHE -> r.finish(0);
            case Nbd.CMD_WRITE_ZEROES -> {
                if (fua) {
                    r.flushAfter();
                }
                if (device.supportsWriteZeroes()) {
                    device.writeZeroes(offset, length, r);
                } else if (pool.takeBuffer(r, (int) Math.min(length, NbdRequest.ZERO_WRITE))) {
                    r.writeZeroesByWrites();
                } else {
                    r.finish(Nbd.ENOMEM);
                }
            }
            case Nbd.CMD_BLOCK_STATUS -> blockStatus(t, r, (flags & Nbd.CMD_FLAG_REQ_ONE) != 0, offset, length);
            default -> throw new IllegalStateException("command " + type + " passed the checks");
        }
    }

    /**
     * NBD_CMD_BLOCK_STATUS: the descriptors go into a pooled buffer as large as the reply can need, one descriptor
     * per logical block of the range at the most, and never more than {@link NbdRequest#MAX_EXTENTS}.
     */
    private void blockStatus(NbdTransmission t, NbdRequest r, boolean one, long offset, long length)
            throws IOException {
        int max = one
                ? 1
                : (int) Math.min(NbdRequest.MAX_EXTENTS, length / t.device().logicalBlockSize());
        if (!pool.takeBuffer(r, max * NbdRequest.descriptorBytes(t.mode()))) {
            r.finish(Nbd.ENOMEM);
            return;
        }
        r.receiveExtents(max);
        t.device().blockStatus(offset, length, r);
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
