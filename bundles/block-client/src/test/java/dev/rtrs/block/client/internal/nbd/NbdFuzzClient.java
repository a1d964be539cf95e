package dev.rtrs.block.client.internal.nbd;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A raw NBD client socket: the fixed-newstyle steps done right or wrong, requests and replies by hand. */
final class NbdFuzzClient implements AutoCloseable {

    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;

    NbdFuzzClient(InetSocketAddress server, int timeoutMs) throws IOException {
        socket = new Socket(server.getAddress(), server.getPort());
        socket.setSoTimeout(timeoutMs);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    }

    /** Reads the greeting; sends {@code clientFlags}. */
    void greet(int clientFlags) throws IOException {
        in.readLong();
        in.readLong();
        in.readUnsignedShort();
        out.writeInt(clientFlags);
    }

    void option(long magic, int option, int declaredLength, byte[] data) throws IOException {
        out.writeLong(magic);
        out.writeInt(option);
        out.writeInt(declaredLength);
        out.write(data);
        out.flush();
    }

    /** Reads option replies up to the final one; returns its type. */
    int finalReply() throws IOException {
        for (int i = 0; i < 64; i++) {
            in.readLong();
            in.readInt();
            int type = in.readInt();
            in.skipNBytes(in.readInt());
            if (type != Nbd.REP_INFO && type != Nbd.REP_SERVER) {
                return type;
            }
        }
        throw new IOException("more than 64 option replies");
    }

    static byte[] go(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + n.length + 2)
                .putInt(n.length)
                .put(n)
                .putShort((short) 0)
                .array();
    }

    /** Negotiates {@code export} with NBD_OPT_GO; true on success. */
    boolean open(String export) throws IOException {
        greet(Nbd.CLIENT_FLAG_FIXED_NEWSTYLE | Nbd.CLIENT_FLAG_NO_ZEROES);
        byte[] data = go(export);
        option(Nbd.OPTION_MAGIC, Nbd.OPT_GO, data.length, data);
        return finalReply() == Nbd.REP_ACK;
    }

    void request(int magic, int flags, int type, long handle, long offset, int length, byte[] payload)
            throws IOException {
        out.writeInt(magic);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(handle);
        out.writeLong(offset);
        out.writeInt(length);
        if (payload != null) {
            out.write(payload);
        }
    }

    void flush() throws IOException {
        out.flush();
    }

    /** One simple reply: {error, handle}; a READ's data is read into {@code data} when given and error is 0. */
    long[] reply() throws IOException {
        int magic = in.readInt();
        if (magic != Nbd.SIMPLE_REPLY_MAGIC) {
            throw new IOException("reply magic 0x" + Integer.toHexString(magic));
        }
        return new long[] {in.readInt(), in.readLong()};
    }

    /** Whether the server closed the connection (end of stream or reset) within the socket timeout. */
    boolean closedByPeer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
