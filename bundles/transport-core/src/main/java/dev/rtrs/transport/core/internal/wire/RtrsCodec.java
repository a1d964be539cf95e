package dev.rtrs.transport.core.internal.wire;

import dev.rtrs.errno.Errno;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Encodes and decodes every RTRS 2.0 message, little-endian, at the byte offsets of PROTOCOL.md.
 * Decoders check sizes, types, counts and reserved fields before anything is used and throw
 * {@link WireFormatException} on the first violation.
 */
public final class RtrsCodec {

    private static final VarHandle U16 = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private RtrsCodec() {}

    // ---- connection manager private data ----

    public static byte[] encode(ConReq m) {
        ByteBuffer b = le(ByteBuffer.allocate(ConReq.SIZE));
        b.put(0, (byte) 0).put(1, (byte) 0);
        b.putShort(2, (short) m.magic());
        b.putShort(4, (short) m.version());
        b.putShort(6, (short) m.cid());
        b.putShort(8, (short) m.cidNum());
        b.putShort(10, (short) m.reconCnt());
        putUuid(b, 12, m.pathUuid());
        putUuid(b, 28, m.sessionUuid());
        b.put(44, (byte) (m.firstConn() ? 1 : 0));
        return b.array();
    }

    /** Decodes a CON_REQ; magic and version are returned as found, for the server to judge. */
    public static ConReq decodeConReq(byte[] data) throws WireFormatException {
        if (data.length < ConReq.SIZE) {
            throw new WireFormatException(
                    Errno.EINVAL, "CON_REQ of " + data.length + " bytes, expected " + ConReq.SIZE);
        }
        ByteBuffer b = le(ByteBuffer.wrap(data));
        int cid = u16(b, 6);
        int cidNum = u16(b, 8);
        if (cidNum == 0 || cid >= cidNum) {
            throw new WireFormatException(Errno.EINVAL, "CON_REQ cid " + cid + " not below cid_num " + cidNum);
        }
        int flags = b.get(44) & 0xFF;
        if ((flags & ~1) != 0) {
            throw new WireFormatException(Errno.EINVAL, "CON_REQ unknown flag bits 0x" + Integer.toHexString(flags));
        }
        return new ConReq(u16(b, 2), u16(b, 4), cid, cidNum, u16(b, 10), uuid(b, 12), uuid(b, 28), flags == 1);
    }

    public static byte[] encode(ConRsp m) {
        ByteBuffer b = le(ByteBuffer.allocate(ConRsp.SIZE));
        b.putShort(0, (short) m.magic());
        b.putShort(2, (short) m.version());
        b.putShort(4, (short) m.errno());
        b.putShort(6, (short) m.queueDepth());
        b.putInt(8, m.maxIoSize());
        b.putInt(12, m.maxHdrSize());
        b.putInt(16, m.flags());
        return b.array();
    }

    /** Decodes a CON_RSP; the errno comes back signed (negative on reject). */
    public static ConRsp decodeConRsp(byte[] data) throws WireFormatException {
        if (data.length < ConRsp.SIZE) {
            throw new WireFormatException(
                    Errno.EINVAL, "CON_RSP of " + data.length + " bytes, expected " + ConRsp.SIZE);
        }
        ByteBuffer b = le(ByteBuffer.wrap(data));
        int maxIo = b.getInt(8);
        int maxHdr = b.getInt(12);
        if (maxIo < 0 || maxHdr < 0) {
            throw new WireFormatException(Errno.EINVAL, "CON_RSP sizes out of range");
        }
        return new ConRsp(u16(b, 0), u16(b, 2), b.getShort(4), u16(b, 6), maxIo, maxHdr, b.getInt(16));
    }

    // ---- messages in registered memory ----

    /** Writes INFO_REQ at {@code offset}; returns its size. */
    public static int encode(InfoReq m, ByteBuffer dst, int offset) {
        byte[] name = m.sessionName().getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > InfoReq.NAME_SIZE) {
            throw new IllegalArgumentException("session name of " + name.length + " bytes");
        }
        zero(dst, offset, InfoReq.SIZE);
        put16(dst, offset, RtrsMessageType.INFO_REQ.wireValue());
        dst.put(offset + 2, name);
        return InfoReq.SIZE;
    }

    public static InfoReq decodeInfoReq(ByteBuffer src, int offset, int length) throws WireFormatException {
        expect(src, offset, length, InfoReq.SIZE, RtrsMessageType.INFO_REQ);
        int end = 0;
        while (end < InfoReq.NAME_SIZE && src.get(offset + 2 + end) != 0) {
            end++;
        }
        if (end == 0) {
            throw new WireFormatException(Errno.EINVAL, "INFO_REQ with an empty session name");
        }
        byte[] name = new byte[end];
        src.get(offset + 2, name);
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(name))
                    .toString();
            return new InfoReq(s);
        } catch (CharacterCodingException e) {
            throw new WireFormatException(Errno.EINVAL, "INFO_REQ session name is not UTF-8");
        }
    }

    public static int encode(InfoRsp m, ByteBuffer dst, int offset) {
        int n = m.chunks().size();
        put16(dst, offset, RtrsMessageType.INFO_RSP.wireValue());
        put16(dst, offset + 2, n);
        put32(dst, offset + 4, 0);
        for (int i = 0; i < n; i++) {
            SgDesc d = m.chunks().get(i);
            putDescriptor(dst, offset + InfoRsp.HEADER_SIZE + i * SgDesc.SIZE, d.address(), d.key(), d.length());
        }
        return InfoRsp.size(n);
    }

    public static InfoRsp decodeInfoRsp(ByteBuffer src, int offset, int length) throws WireFormatException {
        expect(src, offset, length, InfoRsp.HEADER_SIZE, RtrsMessageType.INFO_RSP);
        int n = get16(src, offset + 2);
        if (n == 0 || InfoRsp.size(n) > length) {
            throw new WireFormatException("INFO_RSP with " + n + " chunks in " + length + " bytes");
        }
        return new InfoRsp(descs(src, offset + InfoRsp.HEADER_SIZE, n));
    }

    public static int encode(RkeyRsp m, ByteBuffer dst, int offset) {
        return putRkeyRsp(dst, offset, m.bufId(), m.rkey());
    }

    /** RKEY_RSP without a record, for the IO path. */
    public static int putRkeyRsp(ByteBuffer dst, int offset, int bufId, int rkey) {
        put16(dst, offset, RtrsMessageType.RKEY_RSP.wireValue());
        put16(dst, offset + 2, bufId);
        put32(dst, offset + 4, rkey);
        return RkeyRsp.SIZE;
    }

    public static RkeyRsp decodeRkeyRsp(ByteBuffer src, int offset, int length) throws WireFormatException {
        expect(src, offset, length, RkeyRsp.SIZE, RtrsMessageType.RKEY_RSP);
        return new RkeyRsp(rkeyRspBufId(src, offset), rkeyRspKey(src, offset));
    }

    /** Checks an RKEY_RSP as {@link #decodeRkeyRsp} does, without building it (the client's IO path). */
    public static void checkRkeyRsp(ByteBuffer src, int offset, int length) throws WireFormatException {
        expect(src, offset, length, RkeyRsp.SIZE, RtrsMessageType.RKEY_RSP);
    }

    public static int rkeyRspBufId(ByteBuffer src, int offset) {
        return get16(src, offset + 2);
    }

    public static int rkeyRspKey(ByteBuffer src, int offset) {
        return get32(src, offset + 4);
    }

    public static int encode(WriteMsg m, ByteBuffer dst, int offset) {
        return putWriteMsg(dst, offset, m.usrLen());
    }

    /** WRITE without a record, for the IO path. */
    public static int putWriteMsg(ByteBuffer dst, int offset, int usrLen) {
        put16(dst, offset, RtrsMessageType.WRITE.wireValue());
        put16(dst, offset + 2, usrLen);
        return WriteMsg.SIZE;
    }

    public static int encode(ReadMsg m, ByteBuffer dst, int offset) {
        int n = m.buffers().size();
        putReadHeader(dst, offset, m.usrLen(), m.flags(), n);
        for (int i = 0; i < n; i++) {
            SgDesc d = m.buffers().get(i);
            putDescriptor(dst, offset + ReadMsg.HEADER_SIZE + i * SgDesc.SIZE, d.address(), d.key(), d.length());
        }
        return ReadMsg.size(n);
    }

    /**
     * READ naming one buffer (none when {@code length} is 0) without a record, for the IO path.
     *
     * @return the message's size
     */
    public static int putReadMsg(ByteBuffer dst, int offset, int usrLen, int flags, long address, int key, int length) {
        int n = length == 0 ? 0 : 1;
        putReadHeader(dst, offset, usrLen, flags, n);
        if (n == 1) {
            putDescriptor(dst, offset + ReadMsg.HEADER_SIZE, address, key, length);
        }
        return ReadMsg.size(n);
    }

    private static void putReadHeader(ByteBuffer dst, int offset, int usrLen, int flags, int descriptors) {
        put16(dst, offset, RtrsMessageType.READ.wireValue());
        put16(dst, offset + 2, usrLen);
        put16(dst, offset + 4, flags);
        put16(dst, offset + 6, descriptors);
    }

    /** The type of the IO message at {@code offset} (WRITE or READ); anything else is a protocol error. */
    public static RtrsMessageType ioMessageType(ByteBuffer src, int offset, int length) throws WireFormatException {
        if (offset < 0 || length < 4) {
            throw new WireFormatException("IO message needs 4 bytes, " + length + " left");
        }
        if (offset + 2 > src.limit()) {
            throw new WireFormatException("IO message at " + offset + " beyond the chunk");
        }
        RtrsMessageType t = RtrsMessageType.fromWire(get16(src, offset));
        if (t != RtrsMessageType.WRITE && t != RtrsMessageType.READ) {
            throw new WireFormatException("expected WRITE or READ, got " + t);
        }
        return t;
    }

    /**
     * Decodes the WRITE message at {@code offset} of a chunk: the user header must fit between the chunk's
     * start and the message.
     */
    public static WriteMsg decodeWriteMsg(ByteBuffer src, int offset, int length) throws WireFormatException {
        return new WriteMsg(checkWriteMsg(src, offset, length));
    }

    /** Checks the WRITE message at {@code offset} as {@link #decodeWriteMsg} does; returns its usr_len. */
    public static int checkWriteMsg(ByteBuffer src, int offset, int length) throws WireFormatException {
        expect(src, offset, length, WriteMsg.SIZE, RtrsMessageType.WRITE);
        int usrLen = get16(src, offset + 2);
        if (usrLen > offset) {
            throw new WireFormatException(
                    Errno.EINVAL, "WRITE user header of " + usrLen + " bytes before offset " + offset);
        }
        return usrLen;
    }

    /** Decodes the READ message at {@code offset}: the user header lies at [offset - usrLen, offset). */
    public static ReadMsg decodeReadMsg(ByteBuffer src, int offset, int length) throws WireFormatException {
        int n = checkReadMsg(src, offset, length);
        List<SgDesc> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(new SgDesc(
                    readDescAddress(src, offset, i), readDescKey(src, offset, i), readDescLength(src, offset, i)));
        }
        return new ReadMsg(readMsgUsrLen(src, offset), readMsgFlags(src, offset), list);
    }

    /**
     * Checks the READ message at {@code offset} as {@link #decodeReadMsg} does, without building it (the server's IO
     * path reads the fields with {@link #readMsgUsrLen} and the descriptor getters); returns its descriptor count.
     */
    public static int checkReadMsg(ByteBuffer src, int offset, int length) throws WireFormatException {
        expect(src, offset, length, ReadMsg.HEADER_SIZE, RtrsMessageType.READ);
        int usrLen = get16(src, offset + 2);
        int flags = get16(src, offset + 4);
        int n = get16(src, offset + 6);
        if (usrLen > offset) {
            throw new WireFormatException(
                    Errno.EINVAL, "READ user header of " + usrLen + " bytes before offset " + offset);
        }
        if ((flags & ~RtrsProtocol.FLAG_NEED_INVAL) != 0) {
            throw new WireFormatException(Errno.EINVAL, "READ unknown flags 0x" + Integer.toHexString(flags));
        }
        if (ReadMsg.size(n) > length) {
            throw new WireFormatException(Errno.EINVAL, "READ with " + n + " descriptors in " + length + " bytes");
        }
        for (int i = 0; i < n; i++) {
            if (readDescLength(src, offset, i) < 0) {
                throw new WireFormatException(Errno.EINVAL, "descriptor " + i + " length above 2 GiB");
            }
        }
        return n;
    }

    /** usr_len of a READ message that {@link #checkReadMsg} accepted. */
    public static int readMsgUsrLen(ByteBuffer src, int offset) {
        return get16(src, offset + 2);
    }

    /** flags of a READ message that {@link #checkReadMsg} accepted. */
    public static int readMsgFlags(ByteBuffer src, int offset) {
        return get16(src, offset + 4);
    }

    /** Descriptor {@code i}'s address of a READ message that {@link #checkReadMsg} accepted. */
    public static long readDescAddress(ByteBuffer src, int offset, int i) {
        return get64(src, offset + ReadMsg.HEADER_SIZE + i * SgDesc.SIZE);
    }

    public static int readDescKey(ByteBuffer src, int offset, int i) {
        return get32(src, offset + ReadMsg.HEADER_SIZE + i * SgDesc.SIZE + 8);
    }

    public static int readDescLength(ByteBuffer src, int offset, int i) {
        return get32(src, offset + ReadMsg.HEADER_SIZE + i * SgDesc.SIZE + 12);
    }

    // ---- helpers ----

    private static void expect(ByteBuffer src, int offset, int length, int size, RtrsMessageType type)
            throws WireFormatException {
        if (offset < 0 || length < size || offset + size > src.limit()) {
            throw new WireFormatException(type + " needs " + size + " bytes, " + length + " available");
        }
        int found = get16(src, offset);
        if (found != type.wireValue()) {
            throw new WireFormatException("expected " + type + " (" + type.wireValue() + "), got type " + found);
        }
    }

    private static List<SgDesc> descs(ByteBuffer b, int at, int n) throws WireFormatException {
        List<SgDesc> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int p = at + i * SgDesc.SIZE;
            int len = get32(b, p + 12);
            if (len < 0) {
                throw new WireFormatException(Errno.EINVAL, "descriptor " + i + " length above 2 GiB");
            }
            list.add(new SgDesc(get64(b, p), get32(b, p + 8), len));
        }
        return list;
    }

    private static void putDescriptor(ByteBuffer b, int at, long address, int key, int length) {
        put64(b, at, address);
        put32(b, at + 8, key);
        put32(b, at + 12, length);
    }

    private static void putUuid(ByteBuffer b, int at, UUID u) {
        // uuid_t is 16 raw bytes in RFC 4122 order, i.e. big-endian, whatever the message's byte order
        b.order(ByteOrder.BIG_ENDIAN)
                .putLong(at, u.getMostSignificantBits())
                .putLong(at + 8, u.getLeastSignificantBits());
        b.order(ByteOrder.LITTLE_ENDIAN);
    }

    private static UUID uuid(ByteBuffer b, int at) {
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        return new UUID(be.getLong(at), be.getLong(at + 8));
    }

    private static void zero(ByteBuffer b, int offset, int length) {
        for (int i = 0; i < length; i++) {
            b.put(offset + i, (byte) 0);
        }
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xFFFF;
    }

    // little-endian access at an absolute offset, whatever the buffer's own order, without a duplicate per call

    private static void put16(ByteBuffer b, int at, int v) {
        U16.set(b, at, (short) v);
    }

    private static void put32(ByteBuffer b, int at, int v) {
        U32.set(b, at, v);
    }

    private static void put64(ByteBuffer b, int at, long v) {
        U64.set(b, at, v);
    }

    private static int get16(ByteBuffer b, int at) {
        return (short) U16.get(b, at) & 0xFFFF;
    }

    private static int get32(ByteBuffer b, int at) {
        return (int) U32.get(b, at);
    }

    private static long get64(ByteBuffer b, int at) {
        return (long) U64.get(b, at);
    }

    private static ByteBuffer le(ByteBuffer b) {
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }
}
