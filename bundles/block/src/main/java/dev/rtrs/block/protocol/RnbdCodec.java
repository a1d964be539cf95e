package dev.rtrs.block.protocol;

import dev.rtrs.errno.Errno;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Encodes and decodes every RNBD 2.0 message, little-endian, at the byte offsets of PROTOCOL.md. Every message
 * starts with the RNBD header: {@code type} u16 at 0, padding u16 at 2.
 *
 * <p>Encoders write exactly the message's size at the given offset (reserved bytes and padding zeroed, nothing
 * after the message touched) and return that size. Decoders read a message of {@code length} available bytes at
 * {@code offset}, check its size, type and every field before building the record, and throw
 * {@link RnbdProtocolException} on the first violation. Bytes after the message and reserved fields are ignored,
 * as the kernel does, so that a later minor version may use them. Neither changes the buffer's position, limit
 * or byte order, so a buffer may be shared by threads that use disjoint ranges. Stateless and thread-safe.
 */
public final class RnbdCodec {

    /** The RNBD major version this implementation speaks (2.0; only the major travels, in SESS_INFO). */
    public static final int PROTOCOL_VERSION = 2;
    /** The header every message starts with: type u16, padding u16. */
    public static final int HEADER_SIZE = 4;

    public static final int SECTOR_SHIFT = 9;
    /** RNBD counts sectors of 512 bytes, whatever the device's logical block size. */
    public static final int SECTOR_SIZE = 1 << SECTOR_SHIFT;
    /** The largest message (OPEN): a user header buffer of this size holds any of them. */
    public static final int MAX_MESSAGE_SIZE = RnbdOpen.SIZE;

    // absolute little-endian access whatever the buffer's own byte order, without a duplicate per call
    private static final VarHandle U16 = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int OPEN_NAME_AT = 6;

    private RnbdCodec() {}

    // ---- encoders ----

    /** Encodes any message; see the overloads. */
    public static int encode(RnbdMessage m, ByteBuffer dst, int offset) {
        if (m instanceof RnbdIo io) {
            return encode(io, dst, offset);
        } else if (m instanceof RnbdOpen open) {
            return encode(open, dst, offset);
        } else if (m instanceof RnbdOpenRsp rsp) {
            return encode(rsp, dst, offset);
        } else if (m instanceof RnbdClose close) {
            return encode(close, dst, offset);
        } else if (m instanceof RnbdSessInfo info) {
            return encode(info, dst, offset);
        } else {
            return encode((RnbdSessInfoRsp) m, dst, offset);
        }
    }

    /** SESS_INFO: header, ver u8 at 4, 31 reserved bytes. */
    public static int encode(RnbdSessInfo m, ByteBuffer dst, int offset) {
        begin(m, dst, offset);
        dst.put(offset + 4, (byte) m.version());
        return RnbdSessInfo.SIZE;
    }

    /** SESS_INFO_RSP: header, ver u8 at 4, 31 reserved bytes. */
    public static int encode(RnbdSessInfoRsp m, ByteBuffer dst, int offset) {
        begin(m, dst, offset);
        dst.put(offset + 4, (byte) m.version());
        return RnbdSessInfoRsp.SIZE;
    }

    /** OPEN: header, access_mode u8 at 4, reserved u8 at 5, dev_name at 6 (255 bytes, NUL-padded), 3 reserved. */
    public static int encode(RnbdOpen m, ByteBuffer dst, int offset) {
        begin(m, dst, offset);
        dst.put(offset + 4, (byte) m.accessMode().wireValue());
        ByteBuffer name = RnbdOpen.utf8(m.deviceName());
        dst.put(offset + OPEN_NAME_AT, name, 0, name.remaining());
        return RnbdOpen.SIZE;
    }

    /** CLOSE: header, device_id u32 at 4. */
    public static int encode(RnbdClose m, ByteBuffer dst, int offset) {
        begin(m, dst, offset);
        U32.set(dst, offset + 4, m.deviceId());
        return RnbdClose.SIZE;
    }

    /** OPEN_RSP: the 56-byte layout of PROTOCOL.md. */
    public static int encode(RnbdOpenRsp m, ByteBuffer dst, int offset) {
        begin(m, dst, offset);
        U32.set(dst, offset + 4, m.deviceId());
        U64.set(dst, offset + 8, m.sectors());
        U32.set(dst, offset + 16, (int) m.maxHwSectors());
        U32.set(dst, offset + 20, (int) m.maxWriteZeroesSectors());
        U32.set(dst, offset + 24, (int) m.maxDiscardSectors());
        U32.set(dst, offset + 28, (int) m.discardGranularity());
        U32.set(dst, offset + 32, (int) m.discardAlignment());
        U16.set(dst, offset + 36, (short) m.physicalBlockSize());
        U16.set(dst, offset + 38, (short) m.logicalBlockSize());
        U16.set(dst, offset + 40, (short) m.maxSegments());
        U16.set(dst, offset + 42, (short) m.secureDiscard());
        dst.put(offset + 44, (byte) m.obsoleteRotational());
        dst.put(offset + 45, (byte) m.cachePolicy());
        return RnbdOpenRsp.SIZE;
    }

    /** IO: header, device_id u32 at 4, sector u64 at 8, rw u32 at 16, bi_size u32 at 20, prio u16 at 24, padding. */
    public static int encode(RnbdIo m, ByteBuffer dst, int offset) {
        return putIo(dst, offset, m.deviceId(), m.sector(), m.rw(), m.length(), m.prio());
    }

    /**
     * IO from its fields, with prio 0: the bytes of {@code encode(new RnbdIo(deviceId, sector, operation, flags,
     * length, 0), dst, offset)} without the record, for a client that sends one per request from a reused buffer.
     *
     * @throws IllegalArgumentException for a field out of range, as {@link RnbdIo}'s constructor
     */
    public static int encodeIo(
            int deviceId, long sector, IoOperation operation, int flags, long length, ByteBuffer dst, int offset) {
        Fields.sector("sector", sector);
        Objects.requireNonNull(operation, "operation");
        Fields.ioFlags(flags);
        Fields.u32("length", length);
        return putIo(dst, offset, deviceId, sector, operation.wireValue() | flags, length, 0);
    }

    private static int putIo(ByteBuffer dst, int offset, int deviceId, long sector, int rw, long length, int prio) {
        begin(RnbdMessageType.IO, RnbdIo.SIZE, dst, offset);
        U32.set(dst, offset + 4, deviceId);
        U64.set(dst, offset + 8, sector);
        U32.set(dst, offset + 16, rw);
        U32.set(dst, offset + 20, (int) length);
        U16.set(dst, offset + 24, (short) prio);
        return RnbdIo.SIZE;
    }

    // ---- decoders ----

    /**
     * The type of the message at {@code offset}, to dispatch on.
     *
     * @throws RnbdProtocolException {@code EBADMSG} if fewer than {@value #HEADER_SIZE} bytes are available,
     *         {@code EPROTO} for an unknown type
     */
    public static RnbdMessageType peekType(ByteBuffer src, int offset, int length) throws RnbdProtocolException {
        available(src, offset, length, HEADER_SIZE, "RNBD header");
        return RnbdMessageType.fromWire(u16(src, offset));
    }

    /** Decodes whichever message is at {@code offset}. */
    public static RnbdMessage decode(ByteBuffer src, int offset, int length) throws RnbdProtocolException {
        switch (peekType(src, offset, length)) {
            case SESS_INFO:
                return decodeSessInfo(src, offset, length);
            case SESS_INFO_RSP:
                return decodeSessInfoRsp(src, offset, length);
            case OPEN:
                return decodeOpen(src, offset, length);
            case OPEN_RSP:
                return decodeOpenRsp(src, offset, length);
            case IO:
                return decodeIo(src, offset, length);
            default:
                return decodeClose(src, offset, length);
        }
    }

    /** The version is returned as received; choosing the session's version is the server's business. */
    public static RnbdSessInfo decodeSessInfo(ByteBuffer src, int offset, int length) throws RnbdProtocolException {
        expect(src, offset, length, RnbdMessageType.SESS_INFO, RnbdSessInfo.SIZE);
        return new RnbdSessInfo(src.get(offset + 4) & 0xFF);
    }

    public static RnbdSessInfoRsp decodeSessInfoRsp(ByteBuffer src, int offset, int length)
            throws RnbdProtocolException {
        expect(src, offset, length, RnbdMessageType.SESS_INFO_RSP, RnbdSessInfoRsp.SIZE);
        return new RnbdSessInfoRsp(src.get(offset + 4) & 0xFF);
    }

    /**
     * @throws RnbdProtocolException {@code EINVAL} for an unknown access mode, or a device name that is empty,
     *         not NUL-terminated within its 255 bytes, or not UTF-8
     */
    public static RnbdOpen decodeOpen(ByteBuffer src, int offset, int length) throws RnbdProtocolException {
        expect(src, offset, length, RnbdMessageType.OPEN, RnbdOpen.SIZE);
        AccessMode mode = AccessMode.fromWire(src.get(offset + 4) & 0xFF);
        int at = offset + OPEN_NAME_AT;
        int end = 0;
        while (end < RnbdOpen.NAME_FIELD_SIZE && src.get(at + end) != 0) {
            end++;
        }
        if (end == 0) {
            throw new RnbdProtocolException(Errno.EINVAL, "OPEN with an empty device name");
        }
        if (end == RnbdOpen.NAME_FIELD_SIZE) {
            throw new RnbdProtocolException(
                    Errno.EINVAL, "OPEN device name not NUL-terminated within " + RnbdOpen.NAME_FIELD_SIZE + " bytes");
        }
        byte[] name = new byte[end];
        src.get(at, name);
        String deviceName;
        try {
            deviceName = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(name))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RnbdProtocolException(Errno.EINVAL, "OPEN device name is not UTF-8");
        }
        try {
            return new RnbdOpen(mode, deviceName);
        } catch (IllegalArgumentException e) {
            throw invalid(RnbdMessageType.OPEN, e);
        }
    }

    public static RnbdClose decodeClose(ByteBuffer src, int offset, int length) throws RnbdProtocolException {
        expect(src, offset, length, RnbdMessageType.CLOSE, RnbdClose.SIZE);
        return new RnbdClose(u32(src, offset + 4));
    }

    /**
     * @throws RnbdProtocolException {@code EINVAL} for a capacity whose byte size overflows, block sizes that are
     *         not powers of two from 512 (physical at least logical), or unknown cache policy bits
     */
    public static RnbdOpenRsp decodeOpenRsp(ByteBuffer src, int offset, int length) throws RnbdProtocolException {
        expect(src, offset, length, RnbdMessageType.OPEN_RSP, RnbdOpenRsp.SIZE);
        try {
            return new RnbdOpenRsp(
                    u32(src, offset + 4),
                    u64(src, offset + 8),
                    unsigned32(src, offset + 16),
                    unsigned32(src, offset + 20),
                    unsigned32(src, offset + 24),
                    unsigned32(src, offset + 28),
                    unsigned32(src, offset + 32),
                    u16(src, offset + 36),
                    u16(src, offset + 38),
                    u16(src, offset + 40),
                    u16(src, offset + 42),
                    src.get(offset + 44) & 0xFF,
                    src.get(offset + 45) & 0xFF);
        } catch (IllegalArgumentException e) {
            throw invalid(RnbdMessageType.OPEN_RSP, e);
        }
    }

    /**
     * @throws RnbdProtocolException {@code EINVAL} for an unknown operation or flag bit, or a sector whose byte
     *         offset overflows
     */
    public static RnbdIo decodeIo(ByteBuffer src, int offset, int length) throws RnbdProtocolException {
        checkIo(src, offset, length);
        return new RnbdIo(
                ioDeviceId(src, offset),
                ioSector(src, offset),
                ioOperation(src, offset),
                ioFlags(src, offset),
                ioLength(src, offset),
                u16(src, offset + 24));
    }

    /**
     * Checks the IO at {@code offset} as {@link #decodeIo} does, without building it: the server's IO path reads the
     * fields with the {@code io*} getters, which are defined only for a message this accepted.
     */
    public static void checkIo(ByteBuffer src, int offset, int length) throws RnbdProtocolException {
        expect(src, offset, length, RnbdMessageType.IO, RnbdIo.SIZE);
        int rw = u32(src, offset + 16);
        IoOperation.fromWire(rw & IoOperation.OPERATION_MASK);
        int flags = rw & ~IoOperation.OPERATION_MASK;
        if ((flags & ~IoOperation.FLAGS) != 0) {
            throw new RnbdProtocolException(
                    Errno.EINVAL, "IO with unknown flag bits 0x" + Integer.toHexString(flags & ~IoOperation.FLAGS));
        }
        long sector = u64(src, offset + 8);
        if (sector < 0 || sector > Fields.MAX_SECTOR) {
            throw new RnbdProtocolException(
                    Errno.EINVAL, "IO sector " + Long.toUnsignedString(sector) + " out of range");
        }
    }

    public static int ioDeviceId(ByteBuffer src, int offset) {
        return u32(src, offset + 4);
    }

    public static long ioSector(ByteBuffer src, int offset) {
        return u64(src, offset + 8);
    }

    /** The operation of an IO that {@link #checkIo} accepted. */
    public static IoOperation ioOperation(ByteBuffer src, int offset) {
        try {
            return IoOperation.fromWire(u32(src, offset + 16) & IoOperation.OPERATION_MASK);
        } catch (RnbdProtocolException e) {
            throw new IllegalArgumentException("an IO that checkIo did not accept", e);
        }
    }

    public static int ioFlags(ByteBuffer src, int offset) {
        return u32(src, offset + 16) & ~IoOperation.OPERATION_MASK;
    }

    /** bi_size, unsigned. */
    public static long ioLength(ByteBuffer src, int offset) {
        return unsigned32(src, offset + 20);
    }

    // ---- helpers ----

    private static void begin(RnbdMessage m, ByteBuffer dst, int offset) {
        begin(m.type(), m.wireSize(), dst, offset);
    }

    private static void begin(RnbdMessageType type, int size, ByteBuffer dst, int offset) {
        Objects.checkFromIndexSize(offset, size, dst.limit());
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int end = offset + size;
        int at = offset;
        for (; at + Long.BYTES <= end; at += Long.BYTES) {
            U64.set(dst, at, 0L);
        }
        for (; at < end; at++) {
            dst.put(at, (byte) 0);
        }
        U16.set(dst, offset, (short) type.wireValue());
    }

    private static void available(ByteBuffer src, int offset, int length, int size, String what)
            throws RnbdProtocolException {
        if (offset < 0 || length < size || offset > src.limit() - size) {
            throw new RnbdProtocolException(
                    Errno.EBADMSG,
                    what + " needs " + size + " bytes, "
                            + Math.max(0, Math.min(length, src.limit() - Math.max(0, offset))) + " available");
        }
    }

    private static void expect(ByteBuffer src, int offset, int length, RnbdMessageType type, int size)
            throws RnbdProtocolException {
        available(src, offset, length, size, type.name());
        int found = u16(src, offset);
        if (found != type.wireValue()) {
            throw new RnbdProtocolException(
                    Errno.EPROTO, "expected " + type + " (" + type.wireValue() + "), got type " + found);
        }
    }

    private static RnbdProtocolException invalid(RnbdMessageType type, IllegalArgumentException e) {
        return new RnbdProtocolException(Errno.EINVAL, type + ": " + e.getMessage());
    }

    private static int u16(ByteBuffer b, int at) {
        return (short) U16.get(b, at) & 0xFFFF;
    }

    private static int u32(ByteBuffer b, int at) {
        return (int) U32.get(b, at);
    }

    private static long unsigned32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong((int) U32.get(b, at));
    }

    private static long u64(ByteBuffer b, int at) {
        return (long) U64.get(b, at);
    }
}
