package dev.rtrs.verbs.tcp.internal;

import java.nio.ByteBuffer;

/**
 * The provider's frame header: 32 bytes, big-endian, in front of every frame on a queue pair's socket.
 *
 * <pre>
 *  0  u16 magic 0x5254        2  u8 type      3  u8 flags
 *  4  u32 psn                 8  u32 ack     12  u32 payload length
 * 16  u32 word (immediate data, rkey to invalidate, READ length, NAK code or QP number)
 * 20  u32 rkey (WRITE and READ target; protocol version in CONNECT_REQUEST and ACCEPT)
 * 24  u64 address (WRITE and READ target; responder resources in CONNECT_REQUEST and ACCEPT)
 * </pre>
 *
 * <p>Each frame type has its own encoder, whose parameters say what the shared fields are in that type; the decoded
 * {@link FrameHeader} has accessors named the same way. Decoding validates every field for the frame's type,
 * including that unused fields are zero, so a corrupt or hostile stream is detected at its first bad header.
 */
final class FrameCodec {

    static final int HEADER_SIZE = 32;
    static final int MAGIC = 0x5254;
    static final int PROTOCOL_VERSION = 1;
    /** Flag of SEND and WRITE_WITH_IMM frames posted with {@code SendWorkRequest.SOLICITED}. */
    static final int FLAG_SOLICITED = 1;

    static final int MAX_PRIVATE_DATA = 56;
    static final int MAX_RESPONDER_RESOURCES = 65535;

    static final int OFFSET_MAGIC = 0;
    static final int OFFSET_TYPE = 2;
    static final int OFFSET_FLAGS = 3;
    static final int OFFSET_PSN = 4;
    static final int OFFSET_ACK = 8;
    static final int OFFSET_LENGTH = 12;
    static final int OFFSET_WORD = 16;
    static final int OFFSET_RKEY = 20;
    static final int OFFSET_ADDRESS = 24;

    private FrameCodec() {}

    // One encoder per frame type, each writing the fields its type uses (the others stay zero) at index 0 of dst
    // and leaving dst at position 0, limit HEADER_SIZE. Every request and response carries the cumulative ACK:
    // requests get it here, control frames (NAK, READ response) when they are written (stampAck).

    /** The active side's request: its initial PSN, private data length, queue pair number and responder resources. */
    static void encodeConnectRequest(
            ByteBuffer dst, int initialPsn, int privateDataLength, int queuePairNumber, int responderResources) {
        handshake(dst, FrameType.CONNECT_REQUEST, initialPsn, privateDataLength, queuePairNumber, responderResources);
    }

    /** The passive side's answer, with the same fields as {@link #encodeConnectRequest}. */
    static void encodeAccept(
            ByteBuffer dst, int initialPsn, int privateDataLength, int queuePairNumber, int responderResources) {
        handshake(dst, FrameType.ACCEPT, initialPsn, privateDataLength, queuePairNumber, responderResources);
    }

    private static void handshake(
            ByteBuffer dst,
            FrameType type,
            int initialPsn,
            int privateDataLength,
            int queuePairNumber,
            int responderResources) {
        start(dst, type, 0);
        dst.putInt(OFFSET_PSN, initialPsn);
        dst.putInt(OFFSET_LENGTH, privateDataLength);
        dst.putInt(OFFSET_WORD, queuePairNumber);
        dst.putInt(OFFSET_RKEY, PROTOCOL_VERSION);
        dst.putLong(OFFSET_ADDRESS, responderResources);
    }

    static void encodeReject(ByteBuffer dst, int privateDataLength) {
        start(dst, FrameType.REJECT, 0);
        dst.putInt(OFFSET_LENGTH, privateDataLength);
    }

    static void encodeReadyToUse(ByteBuffer dst) {
        start(dst, FrameType.READY_TO_USE, 0);
    }

    static void encodeDisconnect(ByteBuffer dst) {
        start(dst, FrameType.DISCONNECT, 0);
    }

    static void encodeDisconnectReply(ByteBuffer dst) {
        start(dst, FrameType.DISCONNECT_REPLY, 0);
    }

    /** A SEND of {@code length} payload bytes. */
    static void encodeSend(ByteBuffer dst, boolean solicited, int psn, int ack, int length) {
        request(dst, FrameType.SEND, solicited, psn, ack, length);
    }

    static void encodeSendWithImm(ByteBuffer dst, boolean solicited, int psn, int ack, int length, int immediateData) {
        request(dst, FrameType.SEND_WITH_IMM, solicited, psn, ack, length);
        dst.putInt(OFFSET_WORD, immediateData);
    }

    /** A SEND after which the responder invalidates {@code invalidateRkey}. */
    static void encodeSendWithInv(ByteBuffer dst, boolean solicited, int psn, int ack, int length, int invalidateRkey) {
        request(dst, FrameType.SEND_WITH_INV, solicited, psn, ack, length);
        dst.putInt(OFFSET_WORD, invalidateRkey);
    }

    /** An RDMA WRITE of {@code length} payload bytes to {@code remoteAddress} in the responder's region. */
    static void encodeRdmaWrite(ByteBuffer dst, int psn, int ack, int length, int rkey, long remoteAddress) {
        request(dst, FrameType.WRITE, false, psn, ack, length);
        target(dst, rkey, remoteAddress);
    }

    static void encodeRdmaWriteWithImm(
            ByteBuffer dst,
            boolean solicited,
            int psn,
            int ack,
            int length,
            int immediateData,
            int rkey,
            long remoteAddress) {
        request(dst, FrameType.WRITE_WITH_IMM, solicited, psn, ack, length);
        dst.putInt(OFFSET_WORD, immediateData);
        target(dst, rkey, remoteAddress);
    }

    /** An RDMA READ of {@code readLength} bytes at {@code remoteAddress} of the responder's region {@code rkey}. */
    static void encodeReadRequest(ByteBuffer dst, int psn, int ack, int readLength, int rkey, long remoteAddress) {
        request(dst, FrameType.READ_REQUEST, false, psn, ack, 0);
        dst.putInt(OFFSET_WORD, readLength);
        target(dst, rkey, remoteAddress);
    }

    /** The {@code length} bytes the READ request {@code requestPsn} asked for; the ACK is stamped when written. */
    static void encodeReadResponse(ByteBuffer dst, int requestPsn, int length) {
        start(dst, FrameType.READ_RESPONSE, 0);
        dst.putInt(OFFSET_PSN, requestPsn);
        dst.putInt(OFFSET_LENGTH, length);
    }

    /** A bare acknowledgement of every request up to {@code ack}. */
    static void encodeAck(ByteBuffer dst, int ack) {
        start(dst, FrameType.ACK, 0);
        dst.putInt(OFFSET_ACK, ack);
    }

    /** The refusal of request {@code refusedPsn}; the ACK is stamped when written. */
    static void encodeNak(ByteBuffer dst, int refusedPsn, NakCode code) {
        start(dst, FrameType.NAK, 0);
        dst.putInt(OFFSET_PSN, refusedPsn);
        dst.putInt(OFFSET_WORD, code.wireValue());
    }

    private static void request(ByteBuffer dst, FrameType type, boolean solicited, int psn, int ack, int length) {
        start(dst, type, solicited ? FLAG_SOLICITED : 0);
        dst.putInt(OFFSET_PSN, psn);
        dst.putInt(OFFSET_ACK, ack);
        dst.putInt(OFFSET_LENGTH, length);
    }

    private static void target(ByteBuffer dst, int rkey, long remoteAddress) {
        dst.putInt(OFFSET_RKEY, rkey);
        dst.putLong(OFFSET_ADDRESS, remoteAddress);
    }

    /** Zeroes the header and writes magic, type and flags. */
    private static void start(ByteBuffer dst, FrameType type, int flags) {
        dst.clear();
        for (int i = 0; i < HEADER_SIZE; i += Long.BYTES) {
            dst.putLong(i, 0);
        }
        dst.putShort(OFFSET_MAGIC, (short) MAGIC);
        dst.put(OFFSET_TYPE, (byte) type.wireValue());
        dst.put(OFFSET_FLAGS, (byte) flags);
        dst.limit(HEADER_SIZE);
    }

    /** Overwrites the ack field of an encoded header (control frames are stamped when they are written). */
    static void stampAck(ByteBuffer header, int ack) {
        header.putInt(OFFSET_ACK, ack);
    }

    /**
     * Reads and validates the header at index 0 of {@code src} into {@code out}.
     *
     * @throws FrameException naming the first invalid field
     */
    static void decode(ByteBuffer src, FrameHeader out) throws FrameException {
        int magic = src.getShort(OFFSET_MAGIC) & 0xFFFF;
        if (magic != MAGIC) {
            throw new FrameException("bad magic 0x" + Integer.toHexString(magic));
        }
        int wireType = src.get(OFFSET_TYPE) & 0xFF;
        FrameType type = FrameType.fromWire(wireType);
        if (type == null) {
            throw new FrameException("unknown frame type " + wireType);
        }
        int flags = src.get(OFFSET_FLAGS) & 0xFF;
        int psn = src.getInt(OFFSET_PSN);
        int ack = src.getInt(OFFSET_ACK);
        int length = src.getInt(OFFSET_LENGTH);
        int word = src.getInt(OFFSET_WORD);
        int rkey = src.getInt(OFFSET_RKEY);
        long address = src.getLong(OFFSET_ADDRESS);
        if (length < 0) {
            throw new FrameException(type + ": payload length " + Integer.toUnsignedString(length) + " above 2^31-1");
        }
        switch (type) {
            case CONNECT_REQUEST, ACCEPT -> {
                require(flags == 0 && ack == 0, type, "flags and ack must be 0");
                require(length <= MAX_PRIVATE_DATA, type, "private data of " + length + " bytes");
                require(rkey == PROTOCOL_VERSION, type, "protocol version " + rkey);
                require(address >= 1 && address <= MAX_RESPONDER_RESOURCES, type, "responder resources " + address);
            }
            case REJECT -> {
                require(
                        flags == 0 && psn == 0 && ack == 0 && word == 0 && rkey == 0 && address == 0,
                        type,
                        "unused fields must be 0");
                require(length <= MAX_PRIVATE_DATA, type, "private data of " + length + " bytes");
            }
            case READY_TO_USE, DISCONNECT, DISCONNECT_REPLY ->
                require(
                        flags == 0 && psn == 0 && ack == 0 && length == 0 && word == 0 && rkey == 0 && address == 0,
                        type,
                        "unused fields must be 0");
            case SEND ->
                require(
                        (flags & ~FLAG_SOLICITED) == 0 && word == 0 && rkey == 0 && address == 0,
                        type,
                        "unused fields must be 0");
            case SEND_WITH_IMM, SEND_WITH_INV ->
                require((flags & ~FLAG_SOLICITED) == 0 && rkey == 0 && address == 0, type, "unused fields must be 0");
            case WRITE -> require(flags == 0 && word == 0, type, "unused fields must be 0");
            case WRITE_WITH_IMM -> require((flags & ~FLAG_SOLICITED) == 0, type, "unknown flags");
            case READ_REQUEST -> {
                require(flags == 0 && length == 0, type, "a READ request carries no payload");
                require(word >= 0, type, "READ length " + Integer.toUnsignedString(word) + " above 2^31-1");
            }
            case READ_RESPONSE ->
                require(flags == 0 && word == 0 && rkey == 0 && address == 0, type, "unused fields must be 0");
            case ACK ->
                require(
                        flags == 0 && psn == 0 && length == 0 && word == 0 && rkey == 0 && address == 0,
                        type,
                        "unused fields must be 0");
            case NAK -> {
                require(flags == 0 && length == 0 && rkey == 0 && address == 0, type, "unused fields must be 0");
                require(NakCode.fromWire(word) != null, type, "unknown NAK code " + word);
            }
            default -> throw new FrameException("unhandled frame type " + type);
        }
        out.type = type;
        out.flags = flags;
        out.psn = psn;
        out.ack = ack;
        out.length = length;
        out.typeFields(word, rkey, address);
    }

    private static void require(boolean condition, FrameType type, String what) throws FrameException {
        if (!condition) {
            throw new FrameException(type + ": " + what);
        }
    }
}
