package dev.rtrs.block.client.internal.nbd;

import dev.rtrs.block.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fixed newstyle negotiation of one connection, on its reader thread: the export, and what the client asked
 * for among structured replies, extended headers and the base:allocation metadata context. It allocates freely:
 * it runs once per connection, within the negotiation timeout the socket's deadline enforces.
 */
final class NbdNegotiation {

    private static final Logger LOG = LoggerFactory.getLogger(NbdNegotiation.class);

    private final NbdSocket socket;
    private final NbdExports exports;
    private final String peer;

    private NbdHeaderMode mode = NbdHeaderMode.SIMPLE;
    /** The export base:allocation was selected for by the last NBD_OPT_SET_META_CONTEXT; null for none. */
    private String allocationExport;

    NbdNegotiation(NbdSocket socket, NbdExports exports, String peer) {
        this.socket = socket;
        this.exports = exports;
        this.peer = peer;
    }

    /** Negotiates; returns what was agreed for the transmission phase, or null when the client aborted. */
    NbdTransmission run() throws IOException, Nbd.ProtocolViolation {
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
                    return exportName(data, noZeroes);
                }
                case Nbd.OPT_ABORT -> {
                    reply(option, Nbd.REP_ACK, ByteBuffer.allocate(0));
                    return null;
                }
                case Nbd.OPT_LIST -> list(option, length);
                case Nbd.OPT_INFO, Nbd.OPT_GO -> {
                    NbdTransmission agreed = info(option, data, length);
                    if (agreed != null && option == Nbd.OPT_GO) {
                        return agreed;
                    }
                }
                case Nbd.OPT_STRUCTURED_REPLY -> structuredReply(option, length);
                case Nbd.OPT_EXTENDED_HEADERS -> extendedHeaders(option, length);
                case Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> metaContext(option, data);
                default -> error(option, Nbd.REP_ERR_UNSUP, "option " + option + " is not supported");
            }
        }
    }

    /** NBD_OPT_EXPORT_NAME: no way to answer an error, so an unknown export closes the connection. */
    private NbdTransmission exportName(ByteBuffer data, boolean noZeroes) throws IOException, Nbd.ProtocolViolation {
        String name = new String(data.array(), 0, data.limit(), StandardCharsets.UTF_8);
        if (mode == NbdHeaderMode.EXTENDED) {
            throw new Nbd.ProtocolViolation("NBD_OPT_EXPORT_NAME after extended headers");
        }
        BlockDevice device = exports.find(name);
        if (device == null) {
            throw new Nbd.ProtocolViolation("no export '" + name + "'");
        }
        NbdTransmission agreed = agreed(device, name);
        ByteBuffer reply =
                ByteBuffer.allocate(noZeroes ? 10 : 134).putLong(device.size()).putShort((short) agreed.flags());
        socket.write(reply.position(reply.capacity()).flip());
        return agreed;
    }

    private void list(int option, int length) throws IOException {
        if (length != 0) {
            error(option, Nbd.REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
            return;
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

    /** NBD_OPT_STRUCTURED_REPLY: READ answers in chunks from now on; refused once extended headers rule. */
    private void structuredReply(int option, int length) throws IOException {
        if (length != 0) {
            error(option, Nbd.REP_ERR_INVALID, "NBD_OPT_STRUCTURED_REPLY takes no data");
        } else if (mode == NbdHeaderMode.EXTENDED) {
            error(option, Nbd.REP_ERR_EXT_HEADER_REQD, "extended headers are already in use");
        } else {
            mode = NbdHeaderMode.STRUCTURED;
            reply(option, Nbd.REP_ACK, ByteBuffer.allocate(0));
        }
    }

    /** NBD_OPT_EXTENDED_HEADERS: 32-byte requests and replies; takes precedence over structured replies. */
    private void extendedHeaders(int option, int length) throws IOException {
        if (length != 0) {
            error(option, Nbd.REP_ERR_INVALID, "NBD_OPT_EXTENDED_HEADERS takes no data");
        } else {
            mode = NbdHeaderMode.EXTENDED;
            reply(option, Nbd.REP_ACK, ByteBuffer.allocate(0));
        }
    }

    /**
     * NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT: one NBD_REP_META_CONTEXT for base:allocation when
     * the queries name it, then NBD_REP_ACK. Both need chunked replies first. A SET replaces the selection even
     * when it fails.
     */
    private void metaContext(int option, ByteBuffer data) throws IOException {
        boolean set = option == Nbd.OPT_SET_META_CONTEXT;
        if (set) {
            allocationExport = null;
        }
        if (!mode.chunked()) {
            error(option, Nbd.REP_ERR_INVALID, "metadata contexts need structured replies or extended headers");
            return;
        }
        NbdMetaContexts.Request request;
        try {
            request = NbdMetaContexts.parse(data);
        } catch (NbdMetaContexts.InvalidRequest e) {
            error(option, Nbd.REP_ERR_INVALID, e.getMessage());
            return;
        }
        if (exports.find(request.export()) == null) {
            error(option, Nbd.REP_ERR_UNKNOWN, "no export named '" + request.export() + "'");
            return;
        }
        boolean allocation = set
                ? NbdMetaContexts.selectsAllocation(request.queries())
                : NbdMetaContexts.listsAllocation(request.queries());
        if (allocation) {
            byte[] name = Nbd.ALLOCATION_CONTEXT.getBytes(StandardCharsets.UTF_8);
            // a listed context's id is reserved and SHOULD be zero; a selected one gets its id
            int id = set ? Nbd.ALLOCATION_CONTEXT_ID : 0;
            reply(
                    option,
                    Nbd.REP_META_CONTEXT,
                    ByteBuffer.allocate(4 + name.length).putInt(id).put(name).flip());
            if (set) {
                allocationExport = request.export();
            }
        }
        reply(option, Nbd.REP_ACK, ByteBuffer.allocate(0));
    }

    /** Answers NBD_OPT_INFO/GO; returns what was agreed when the answer was positive. */
    private NbdTransmission info(int option, ByteBuffer data, int length) throws IOException {
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
            name = NbdMetaContexts.utf8(data.slice(4, nameLength));
        } catch (CharacterCodingException e) {
            error(option, Nbd.REP_ERR_INVALID, "export name is not UTF-8");
            return null;
        }
        BlockDevice device = exports.find(name);
        if (device == null) {
            error(option, Nbd.REP_ERR_UNKNOWN, "no export named '" + name + "'");
            return null;
        }
        NbdTransmission agreed = agreed(device, name);
        reply(
                option,
                Nbd.REP_INFO,
                ByteBuffer.allocate(12)
                        .putShort((short) Nbd.INFO_EXPORT)
                        .putLong(device.size())
                        .putShort((short) agreed.flags())
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
        return agreed;
    }

    /** The terms for {@code device}: base:allocation counts only if it was selected for this very export name. */
    private NbdTransmission agreed(BlockDevice device, String name) {
        return NbdTransmission.of(device, mode, name.equals(allocationExport));
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
}
