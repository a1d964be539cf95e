package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fixed newstyle negotiation of one connection, on its reader thread. It allocates freely: it runs once per
 * connection, within the negotiation timeout the socket's deadline enforces.
 */
final class NbdNegotiation {

    private static final Logger LOG = LoggerFactory.getLogger(NbdNegotiation.class);

    private final NbdSocket socket;
    private final NbdExports exports;
    private final String peer;

    NbdNegotiation(NbdSocket socket, NbdExports exports, String peer) {
        this.socket = socket;
        this.exports = exports;
        this.peer = peer;
    }

    /** Negotiates; returns the device chosen, or null when the client aborted. */
    BlockDevice run() throws IOException, Nbd.ProtocolViolation {
        ByteBuffer hello = ByteBuffer.allocate(18)
                .putLong(Nbd.INIT_MAGIC)
                .putLong(Nbd.OPTION_MAGIC)
                .putShort((short) (Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES))
                .flip();
        socket.write(hello);
        int clientFlags = socket.readInt();
        if ((clientFlags & ~(Nbd.CLIENT_FLAG_FIXED_NEWSTYLE | Nbd.CLIENT_FLAG_NO_ZEROES)) != 0) {
            throw new Nbd.ProtocolViolation("unknown client flags 0x" + Integer.toHexString(clientFlags));
        }
        boolean noZeroes = (clientFlags & Nbd.CLIENT_FLAG_NO_ZEROES) != 0;
        while (true) {
            long magic = socket.readLong();
            if (magic != Nbd.OPTION_MAGIC) {
                throw new Nbd.ProtocolViolation("option without IHAVEOPT magic");
            }
            int option = socket.readInt();
            int length = socket.readInt();
            if (length < 0 || length > Nbd.MAX_OPTION_LENGTH) {
                throw new Nbd.ProtocolViolation(
                        "option " + option + " of " + Integer.toUnsignedString(length) + " bytes");
            }
            ByteBuffer data = ByteBuffer.allocate(length);
            socket.readFully(data);
            data.flip();
            switch (option) {
                case Nbd.OPT_EXPORT_NAME -> {
                    BlockDevice device = exports.find(string(data, length));
                    if (device == null) {
                        throw new Nbd.ProtocolViolation("no export '" + string(data, length) + "'");
                    }
                    ByteBuffer reply = ByteBuffer.allocate(noZeroes ? 10 : 134)
                            .putLong(device.size())
                            .putShort((short) transmissionFlags(device));
                    socket.write(reply.position(reply.capacity()).flip());
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
        socket.write(header);
        socket.write(data);
    }

    private void error(int option, int type, String message) throws IOException {
        LOG.debug("NBD client {}: option {} refused: {}", peer, option, message);
        reply(option, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }

    private static String string(ByteBuffer data, int length) {
        return new String(data.array(), 0, length, StandardCharsets.UTF_8);
    }
}
