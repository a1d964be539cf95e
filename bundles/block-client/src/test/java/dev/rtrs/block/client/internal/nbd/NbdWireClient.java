package dev.rtrs.block.client.internal.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-made NBD client for byte-level tests: it sends options and requests field by field and reads replies
 * field by field, so that a test asserts each field where the spec puts it.
 */
final class NbdWireClient implements AutoCloseable {

    /** One option reply: its type and data. */
    record OptionReply(int type, byte[] data) {
        ByteBuffer buffer() {
            return ByteBuffer.wrap(data);
        }
    }

    /**
     * One structured or extended reply chunk.
     *
     * @param offset the request offset an extended chunk repeats; -1 in a structured chunk
     */
    record Chunk(int flags, int type, long cookie, long offset, byte[] payload) {
        ByteBuffer buffer() {
            return ByteBuffer.wrap(payload);
        }

        boolean done() {
            return (flags & Nbd.REPLY_FLAG_DONE) != 0;
        }
    }

    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;

    NbdWireClient(InetSocketAddress server) throws IOException {
        socket = new Socket(server.getAddress(), server.getPort());
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        assertEquals(Nbd.INIT_MAGIC, in.readLong());
        assertEquals(Nbd.OPTION_MAGIC, in.readLong());
        assertEquals(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES, in.readUnsignedShort());
        out.writeInt(Nbd.CLIENT_FLAG_FIXED_NEWSTYLE | Nbd.CLIENT_FLAG_NO_ZEROES);
    }

    /** Sends an option; returns its replies up to the final one (the last in the list). */
    List<OptionReply> option(int option, byte[] data) throws IOException {
        out.writeLong(Nbd.OPTION_MAGIC);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
        List<OptionReply> replies = new ArrayList<>();
        while (true) {
            assertEquals(Nbd.REPLY_MAGIC, in.readLong());
            assertEquals(option, in.readInt(), "a reply names its option");
            int type = in.readInt();
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            replies.add(new OptionReply(type, payload));
            boolean more = type == Nbd.REP_INFO || type == Nbd.REP_SERVER || type == Nbd.REP_META_CONTEXT;
            if (!more) {
                return replies;
            }
        }
    }

    /** The type of the final reply to an option without data. */
    int simpleOption(int option) throws IOException {
        List<OptionReply> r = option(option, new byte[0]);
        return r.get(r.size() - 1).type();
    }

    /** NBD_OPT_GO for {@code name} without information requests; returns the transmission flags. */
    int go(String name) throws IOException {
        List<OptionReply> replies = option(Nbd.OPT_GO, goData(name));
        assertEquals(Nbd.REP_ACK, replies.get(replies.size() - 1).type(), "GO " + name);
        for (OptionReply r : replies) {
            if (r.type() == Nbd.REP_INFO && r.buffer().getShort(0) == Nbd.INFO_EXPORT) {
                return r.buffer().getShort(10) & 0xFFFF;
            }
        }
        throw new AssertionError("no NBD_INFO_EXPORT");
    }

    static byte[] goData(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + n.length + 2)
                .putInt(n.length)
                .put(n)
                .putShort((short) 0)
                .array();
    }

    /** The data of NBD_OPT_LIST_META_CONTEXT or NBD_OPT_SET_META_CONTEXT. */
    static byte[] metaData(String export, String... queries) {
        ByteBuffer b = ByteBuffer.allocate(1024);
        byte[] e = export.getBytes(StandardCharsets.UTF_8);
        b.putInt(e.length).put(e).putInt(queries.length);
        for (String q : queries) {
            byte[] bytes = q.getBytes(StandardCharsets.UTF_8);
            b.putInt(bytes.length).put(bytes);
        }
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    /** A compact request (28 bytes), then {@code payload} if given. */
    void request(int flags, int type, long cookie, long offset, int length, byte[] payload) throws IOException {
        out.writeInt(Nbd.REQUEST_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        out.writeInt(length);
        if (payload != null) {
            out.write(payload);
        }
        out.flush();
    }

    /** An extended request (32 bytes, 64-bit length), then {@code payload} if given. */
    void extendedRequest(int flags, int type, long cookie, long offset, long length, byte[] payload)
            throws IOException {
        out.writeInt(Nbd.EXTENDED_REQUEST_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        out.writeLong(length);
        if (payload != null) {
            out.write(payload);
        }
        out.flush();
    }

    /** A simple reply's error, after checking its magic and cookie. */
    int simpleReply(long cookie) throws IOException {
        assertEquals(Nbd.SIMPLE_REPLY_MAGIC, in.readInt(), "simple reply magic");
        int error = in.readInt();
        assertEquals(cookie, in.readLong(), "cookie");
        return error;
    }

    /** A structured reply chunk (20-byte header). */
    Chunk structuredChunk() throws IOException {
        assertEquals(Nbd.STRUCTURED_REPLY_MAGIC, in.readInt(), "structured reply magic");
        int flags = in.readUnsignedShort();
        int type = in.readUnsignedShort();
        long cookie = in.readLong();
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return new Chunk(flags, type, cookie, -1, payload);
    }

    /** An extended reply chunk (32-byte header). */
    Chunk extendedChunk() throws IOException {
        assertEquals(Nbd.EXTENDED_REPLY_MAGIC, in.readInt(), "extended reply magic");
        int flags = in.readUnsignedShort();
        int type = in.readUnsignedShort();
        long cookie = in.readLong();
        long offset = in.readLong();
        long length = in.readLong();
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Chunk(flags, type, cookie, offset, payload);
    }

    /** Whether the server closed the connection (end of stream or reset) within the socket timeout. */
    boolean closedByPeer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
