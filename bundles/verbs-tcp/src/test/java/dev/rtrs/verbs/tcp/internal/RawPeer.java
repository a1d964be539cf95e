package dev.rtrs.verbs.tcp.internal;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * A hand-driven active peer speaking the provider's framing over a plain blocking socket, so tests can send
 * exactly the frames they want (half a payload, a malformed header) and stop reading.
 */
final class RawPeer implements AutoCloseable {

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** PSN of this peer's next request. */
    int psn = 0x7FFF_FFF0;
    /** The provider's initial PSN, from its ACCEPT. */
    int peerPsn;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Connects to a provider listener: CONNECT_REQUEST, ACCEPT expected, READY_TO_USE. */
    static RawPeer connect(InetSocketAddress listener) throws Exception {
        RawPeer p = new RawPeer(new Socket(listener.getAddress(), listener.getPort()));
        p.frame(FrameType.CONNECT_REQUEST, 0, p.psn, 0, 0, 1, FrameCodec.PROTOCOL_VERSION, 16, null);
        FrameHeader accept = p.read(null);
        if (accept.type != FrameType.ACCEPT) {
            throw new IllegalStateException("expected ACCEPT, got " + accept);
        }
        p.peerPsn = accept.psn;
        p.frame(FrameType.READY_TO_USE, 0, 0, 0, 0, 0, 0, 0, null);
        return p;
    }

    /** Sends one frame header and its payload. */
    void frame(FrameType type, int flags, int framePsn, int ack, int length, int word, int rkey, long address,
            byte[] payload) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(FrameCodec.HEADER_SIZE);
        FrameCodec.encode(h, type, flags, framePsn, ack, length, word, rkey, address);
        out.write(h.array());
        if (payload != null) {
            out.write(payload);
        }
        out.flush();
    }

    void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one frame; its payload goes to {@code payload} when given (else it is skipped). */
    FrameHeader read(byte[] payload) throws Exception {
        byte[] bytes = new byte[FrameCodec.HEADER_SIZE];
        in.readFully(bytes);
        FrameHeader h = new FrameHeader();
        FrameCodec.decode(ByteBuffer.wrap(bytes), h);
        if (h.length > 0) {
            byte[] sink = payload != null ? payload : new byte[h.length];
            in.readFully(sink, 0, h.length);
        }
        return h;
    }

    /** Reads frames until one of {@code type}. */
    FrameHeader await(FrameType type) throws Exception {
        for (;;) {
            FrameHeader h = read(null);
            if (h.type == type) {
                return h;
            }
        }
    }

    /** Whether the provider closed the connection (end of stream or reset) within the socket timeout. */
    boolean closedByPeer() {
        try {
            byte[] b = new byte[4096];
            for (;;) {
                if (in.read(b) < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Resets the connection (RST), as a crashed host's kernel would. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
