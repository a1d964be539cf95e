package dev.rtrs.verbs.tcp.internal;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * A hand-driven active peer speaking the provider's framing over a plain blocking socket, so tests can send
 * exactly the frames they want (half a payload, a malformed header) and stop reading.
 */
final class RawPeer implements AutoCloseable {

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(FrameCodec.HEADER_SIZE);
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

    /** Connects to a provider's listening socket: CONNECT_REQUEST, ACCEPT expected, READY_TO_USE. */
    static RawPeer connect(InetSocketAddress listening) throws Exception {
        RawPeer p = new RawPeer(new Socket(listening.getAddress(), listening.getPort()));
        FrameCodec.encodeConnectRequest(p.header, p.psn, 0, 1, 16);
        p.sendHeader(null);
        FrameHeader accept = p.read(null);
        if (accept.type != FrameType.ACCEPT) {
            throw new IllegalStateException("expected ACCEPT, got " + accept);
        }
        p.peerPsn = accept.initialPsn();
        FrameCodec.encodeReadyToUse(p.header);
        p.sendHeader(null);
        return p;
    }

    /** Sends a SEND request carrying {@code payload}. */
    void send(int framePsn, int ack, byte[] payload) throws IOException {
        FrameCodec.encodeSend(header, false, framePsn, ack, payload.length);
        sendHeader(payload);
    }

    /** Sends the header of a WRITE of {@code length} bytes and the first of them, {@code payloadStart}. */
    void write(int framePsn, int ack, int length, int rkey, long remoteAddress, byte[] payloadStart)
            throws IOException {
        FrameCodec.encodeRdmaWrite(header, framePsn, ack, length, rkey, remoteAddress);
        sendHeader(payloadStart);
    }

    void ack(int ack) throws IOException {
        FrameCodec.encodeAck(header, ack);
        sendHeader(null);
    }

    void disconnect() throws IOException {
        FrameCodec.encodeDisconnect(header);
        sendHeader(null);
    }

    /** Sends the header just encoded and what follows it. */
    private void sendHeader(byte[] payload) throws IOException {
        out.write(header.array(), 0, FrameCodec.HEADER_SIZE);
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
        for (; ; ) {
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
            for (; ; ) {
                if (in.read(b) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
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
