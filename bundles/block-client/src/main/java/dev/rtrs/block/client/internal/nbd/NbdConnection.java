package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.transport.log.RateLimitedLog;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NBD client connection: fixed newstyle negotiation, then the transmission phase with simple replies.
 * The reader thread parses requests and hands them to the device; replies (possibly out of order, matched by
 * handle) are written by a single writer thread so that device completion threads never block on the socket.
 */
final class NbdConnection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(NbdConnection.class);
    private static final RateLimitedLog WARN = RateLimitedLog.of(LOG);
    private static final int MAX_IN_FLIGHT = 64;

    private final SocketChannel channel;
    private final NbdExports exports;
    private final String peer;
    private final ByteBuffer small = ByteBuffer.allocate(64);
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final ExecutorService writer;
    private volatile boolean broken;
    /** The export this connection uses, once negotiated; null before. */
    private volatile String export;

    NbdConnection(SocketChannel channel, NbdExports exports, String peer) {
        this.channel = channel;
        this.exports = exports;
        this.peer = peer;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nbd-writer-" + peer);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void run() {
        try {
            BlockDevice device = negotiate();
            if (device != null) {
                LOG.info("NBD client {} uses export {}", peer, device.name());
                export = device.name();
                transmit(device);
            }
        } catch (EOFException e) {
            LOG.debug("NBD client {} went away", peer);
        } catch (IOException | ProtocolViolation e) {
            WARN.warn("nbd-client-error", "NBD client {}: {}; closing its connection", peer, e.getMessage());
        } finally {
            close();
        }
    }

    // ---- negotiation ----

    private BlockDevice negotiate() throws IOException, ProtocolViolation {
        ByteBuffer hello = ByteBuffer.allocate(18)
                .putLong(Nbd.INIT_MAGIC)
                .putLong(Nbd.OPTION_MAGIC)
                .putShort((short) (Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES))
                .flip();
        write(hello);
        int clientFlags = readInt();
        if ((clientFlags & ~(Nbd.CLIENT_FLAG_FIXED_NEWSTYLE | Nbd.CLIENT_FLAG_NO_ZEROES)) != 0) {
            throw new ProtocolViolation("unknown client flags 0x" + Integer.toHexString(clientFlags));
        }
        boolean noZeroes = (clientFlags & Nbd.CLIENT_FLAG_NO_ZEROES) != 0;
        while (true) {
            long magic = readLong();
            if (magic != Nbd.OPTION_MAGIC) {
                throw new ProtocolViolation("option without IHAVEOPT magic");
            }
            int option = readInt();
            int length = readInt();
            if (length < 0 || length > Nbd.MAX_OPTION_LENGTH) {
                throw new ProtocolViolation("option " + option + " of " + Integer.toUnsignedString(length) + " bytes");
            }
            ByteBuffer data = readFully(length);
            switch (option) {
                case Nbd.OPT_EXPORT_NAME -> {
                    BlockDevice device = exports.find(string(data, length));
                    if (device == null) {
                        throw new ProtocolViolation("no export '" + string(data, length) + "'");
                    }
                    ByteBuffer reply = ByteBuffer.allocate(noZeroes ? 10 : 134)
                            .putLong(device.size())
                            .putShort((short) transmissionFlags(device));
                    write(reply.position(reply.capacity()).flip());
                    return device;
                }
                case Nbd.OPT_ABORT -> {
                    reply(option, Nbd.REP_ACK, ByteBuffer.allocate(0));
                    return null;
                }
                case Nbd.OPT_LIST -> {
                    if (length != 0) {
                        error(option, Nbd.REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
                        continue;
                    }
                    for (BlockDevice d : exports.list()) {
                        byte[] name = d.name().getBytes(StandardCharsets.UTF_8);
                        reply(
                                option,
                                Nbd.REP_SERVER,
                                ByteBuffer.allocate(4 + name.length)
                                        .putInt(name.length)
                                        .put(name)
                                        .flip());
                    }
                    reply(option, Nbd.REP_ACK, ByteBuffer.allocate(0));
                }
                case Nbd.OPT_INFO, Nbd.OPT_GO -> {
                    BlockDevice device = info(option, data, length);
                    if (device != null && option == Nbd.OPT_GO) {
                        return device;
                    }
                }
                default -> error(option, Nbd.REP_ERR_UNSUP, "option " + option + " is not supported");
            }
        }
    }

    /** Answers NBD_OPT_INFO/GO; returns the device when the answer was positive. */
    private BlockDevice info(int option, ByteBuffer data, int length) throws IOException {
        if (length < 6) {
            error(option, Nbd.REP_ERR_INVALID, "request too short");
            return null;
        }
        int nameLength = data.getInt(0);
        if (nameLength < 0 || 4L + nameLength + 2 > length) {
            error(option, Nbd.REP_ERR_INVALID, "bad name length");
            return null;
        }
        int requests = data.getShort(4 + nameLength) & 0xFFFF;
        if (4 + nameLength + 2 + 2 * requests != length) {
            error(option, Nbd.REP_ERR_INVALID, "bad information request count");
            return null;
        }
        String name;
        try {
            name = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(data.duplicate().position(4).limit(4 + nameLength))
                    .toString();
        } catch (CharacterCodingException e) {
            error(option, Nbd.REP_ERR_INVALID, "export name is not UTF-8");
            return null;
        }
        BlockDevice device = exports.find(name);
        if (device == null) {
            error(option, Nbd.REP_ERR_UNKNOWN, "no export named '" + name + "'");
            return null;
        }
        reply(
                option,
                Nbd.REP_INFO,
                ByteBuffer.allocate(12)
                        .putShort((short) Nbd.INFO_EXPORT)
                        .putLong(device.size())
                        .putShort((short) transmissionFlags(device))
                        .flip());
        for (int i = 0; i < requests; i++) {
            int type = data.getShort(4 + nameLength + 2 + 2 * i) & 0xFFFF;
            if (type == Nbd.INFO_NAME || type == Nbd.INFO_DESCRIPTION) {
                byte[] text = (type == Nbd.INFO_NAME ? device.name() : "RNBD mapped device " + device.name())
                        .getBytes(StandardCharsets.UTF_8);
                reply(
                        option,
                        Nbd.REP_INFO,
                        ByteBuffer.allocate(2 + text.length)
                                .putShort((short) type)
                                .put(text)
                                .flip());
            }
        }
        // always sent: the device takes whole logical blocks only
        reply(
                option,
                Nbd.REP_INFO,
                ByteBuffer.allocate(14)
                        .putShort((short) Nbd.INFO_BLOCK_SIZE)
                        .putInt(device.logicalBlockSize())
                        .putInt(Math.max(4096, device.physicalBlockSize()))
                        .putInt(Nbd.MAX_REQUEST)
                        .flip());
        reply(option, Nbd.REP_ACK, ByteBuffer.allocate(0));
        return device;
    }

    static int transmissionFlags(BlockDevice d) {
        int flags = Nbd.TX_HAS_FLAGS | Nbd.TX_SEND_FLUSH | Nbd.TX_SEND_FUA | Nbd.TX_CAN_MULTI_CONN;
        if (d.isReadOnly()) {
            flags |= Nbd.TX_READ_ONLY;
        }
        if (d.supportsDiscard()) {
            flags |= Nbd.TX_SEND_TRIM;
        }
        if (d.supportsWriteZeroes()) {
            flags |= Nbd.TX_SEND_WRITE_ZEROES;
        }
        return flags;
    }

    private void reply(int option, int type, ByteBuffer data) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(20)
                .putLong(Nbd.REPLY_MAGIC)
                .putInt(option)
                .putInt(type)
                .putInt(data.remaining())
                .flip();
        write(header);
        write(data);
    }

    private void error(int option, int type, String message) throws IOException {
        LOG.debug("NBD client {}: option {} refused: {}", peer, option, message);
        reply(option, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }

    private static String string(ByteBuffer data, int length) {
        return new String(data.array(), 0, length, StandardCharsets.UTF_8);
    }

    // ---- transmission ----

    private void transmit(BlockDevice device) throws IOException, ProtocolViolation {
        while (true) {
            ByteBuffer h = readFully(28);
            if (h.getInt(0) != Nbd.REQUEST_MAGIC) {
                throw new ProtocolViolation("request without magic");
            }
            int flags = h.getShort(4) & 0xFFFF;
            int type = h.getShort(6) & 0xFFFF;
            long handle = h.getLong(8);
            long offset = h.getLong(16);
            int length = h.getInt(24);
            if (type == Nbd.CMD_DISC) {
                awaitInFlight();
                return;
            }
            if (type == Nbd.CMD_WRITE && Integer.toUnsignedLong(length) > Nbd.MAX_REQUEST) {
                throw new ProtocolViolation("write of " + Integer.toUnsignedString(length) + " bytes");
            }
            ByteBuffer payload = type == Nbd.CMD_WRITE ? readFully(length) : null;
            acquireSlot();
            if (offset < 0) {
                respond(handle, Nbd.EINVAL, null);
                continue;
            }
            switch (type) {
                case Nbd.CMD_READ -> {
                    if (Integer.toUnsignedLong(length) > Nbd.MAX_REQUEST) {
                        respond(handle, Nbd.EINVAL, null);
                    } else {
                        ByteBuffer dst = ByteBuffer.allocate(length);
                        device.read(
                                offset,
                                dst,
                                errno -> respond(handle, Nbd.error(errno), errno == 0 ? dst.clear() : null));
                    }
                }
                case Nbd.CMD_WRITE -> {
                    if (device.isReadOnly()) {
                        respond(handle, Nbd.EPERM, null);
                    } else {
                        int fua = (flags & Nbd.CMD_FLAG_FUA) != 0 ? BlockDevice.FUA : 0;
                        device.write(offset, payload, fua, errno -> respond(handle, Nbd.error(errno), null));
                    }
                }
                case Nbd.CMD_FLUSH -> device.flush(errno -> respond(handle, Nbd.error(errno), null));
                case Nbd.CMD_TRIM -> {
                    if (device.isReadOnly()) {
                        respond(handle, Nbd.EPERM, null);
                    } else {
                        device.discard(
                                offset,
                                Integer.toUnsignedLong(length),
                                errno -> respond(handle, Nbd.error(errno), null));
                    }
                }
                case Nbd.CMD_WRITE_ZEROES -> {
                    if (device.isReadOnly()) {
                        respond(handle, Nbd.EPERM, null);
                    } else {
                        device.writeZeroes(offset, Integer.toUnsignedLong(length), errno -> {
                            if (errno == 0 && (flags & Nbd.CMD_FLAG_FUA) != 0) {
                                device.flush(e2 -> respond(handle, Nbd.error(e2), null));
                            } else {
                                respond(handle, Nbd.error(errno), null);
                            }
                        });
                    }
                }
                default -> respond(handle, Nbd.EINVAL, null);
            }
        }
    }

    private void acquireSlot() throws IOException {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private void awaitInFlight() {
        try {
            if (inFlight.tryAcquire(MAX_IN_FLIGHT, 30, TimeUnit.SECONDS)) {
                inFlight.release(MAX_IN_FLIGHT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Queues a simple reply; called on device completion threads. */
    private void respond(long handle, int error, ByteBuffer data) {
        try {
            writer.execute(() -> {
                try {
                    if (!broken) {
                        ByteBuffer header = ByteBuffer.allocate(16)
                                .putInt(Nbd.SIMPLE_REPLY_MAGIC)
                                .putInt(error)
                                .putLong(handle)
                                .flip();
                        if (data == null) {
                            write(header);
                        } else {
                            ByteBuffer[] both = {header, data};
                            while (data.hasRemaining()) {
                                channel.write(both);
                            }
                        }
                    }
                } catch (IOException e) {
                    broken = true;
                    LOG.debug("NBD client {}: reply failed: {}", peer, e.getMessage());
                } finally {
                    inFlight.release();
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.release();
        }
    }

    // ---- socket helpers (reader thread, and the writer thread for replies) ----

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private int readInt() throws IOException {
        small.clear().limit(4);
        fill(small);
        return small.getInt(0);
    }

    private long readLong() throws IOException {
        small.clear().limit(8);
        fill(small);
        return small.getLong(0);
    }

    private ByteBuffer readFully(int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        fill(b);
        return b.flip();
    }

    private void fill(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException();
            }
        }
    }

    /** The export this connection uses; null while it negotiates. */
    String export() {
        return export;
    }

    void close() {
        broken = true;
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("close: {}", e.getMessage());
        }
    }

    /** The client broke the protocol: the connection is closed, nothing else is affected. */
    private static final class ProtocolViolation extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolViolation(String message) {
            super(message);
        }
    }
}
