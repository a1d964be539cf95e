package dev.rtrs.transport.core.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every field at its PROTOCOL.md offset, round trips, and refusal of malformed input. */
class RtrsCodecTest {

    private static final UUID PATH = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
    private static final UUID SESSION = UUID.fromString("f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f");

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void conReqLayout() throws Exception {
        ConReq m = new ConReq(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 3, 5, 7, PATH, SESSION, true);
        byte[] wire = RtrsCodec.encode(m);
        assertEquals(56, wire.length);
        ByteBuffer b = le(wire);
        assertEquals(0, b.get(0));
        assertEquals(0, b.get(1));
        assertEquals(0x1BBD, b.getShort(2) & 0xFFFF);
        assertEquals((byte) 0xBD, wire[2], "little-endian magic");
        assertEquals(0x0200, b.getShort(4));
        assertEquals(3, b.getShort(6));
        assertEquals(5, b.getShort(8));
        assertEquals(7, b.getShort(10));
        assertEquals(0x00, wire[12]);
        assertEquals((byte) 0x11, wire[13], "uuid bytes in RFC 4122 order");
        assertEquals((byte) 0xff, wire[27]);
        assertEquals((byte) 0xf0, wire[28]);
        assertEquals((byte) 0x0f, wire[43]);
        assertEquals(1, wire[44]);
        for (int i = 45; i < 56; i++) {
            assertEquals(0, wire[i], "reserved byte " + i);
        }
        assertEquals(m, RtrsCodec.decodeConReq(wire));
    }

    @Test
    void conReqRejectsBadCountsAndFlags() {
        byte[] wire =
                RtrsCodec.encode(new ConReq(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 2, 0, PATH, SESSION, false));
        le(wire).putShort(6, (short) 2);
        assertEquals(
                Errno.EINVAL,
                assertThrows(WireFormatException.class, () -> RtrsCodec.decodeConReq(wire))
                        .errno());
        byte[] flags =
                RtrsCodec.encode(new ConReq(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 2, 0, PATH, SESSION, false));
        flags[44] = 2;
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeConReq(flags));
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeConReq(new byte[40]));
        byte[] zeroConns = new byte[56];
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeConReq(zeroConns));
    }

    @Test
    void conRspLayout() throws Exception {
        ConRsp m = ConRsp.accept(512, 131072 - 4096, 4096, RtrsProtocol.FLAG_NEW_RKEY);
        byte[] wire = RtrsCodec.encode(m);
        assertEquals(56, wire.length);
        ByteBuffer b = le(wire);
        assertEquals(0x1BBD, b.getShort(0) & 0xFFFF);
        assertEquals(0x0200, b.getShort(2));
        assertEquals(0, b.getShort(4));
        assertEquals(512, b.getShort(6));
        assertEquals(131072 - 4096, b.getInt(8));
        assertEquals(4096, b.getInt(12));
        assertEquals(2, b.getInt(16));
        for (int i = 20; i < 56; i++) {
            assertEquals(0, wire[i]);
        }
        assertEquals(m, RtrsCodec.decodeConRsp(wire));
    }

    @Test
    void conRspRejectCarriesNegativeErrno() throws Exception {
        byte[] wire = RtrsCodec.encode(ConRsp.reject(Errno.ECONNRESET));
        assertEquals(-104, le(wire).getShort(4));
        assertEquals(-104, RtrsCodec.decodeConRsp(wire).errno());
        assertEquals(
                65535,
                RtrsCodec.decodeConRsp(RtrsCodec.encode(ConRsp.accept(65535, 1, 1, 0)))
                        .queueDepth());
    }

    @Test
    void infoReqLayout() throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(300);
        buf.put(0, (byte) 0x55);
        for (int i = 0; i < 300; i++) {
            buf.put(i, (byte) 0x55);
        }
        assertEquals(272, RtrsCodec.encode(new InfoReq("blk-α"), buf, 10));
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, b.getShort(10));
        assertEquals('b', b.get(12));
        assertEquals(0, b.get(12 + 6), "NUL padding after the name");
        assertEquals(0, b.get(10 + 271), "reserved tail zeroed");
        assertEquals(0x55, b.get(10 + 272), "nothing written past the message");
        assertEquals("blk-α", RtrsCodec.decodeInfoReq(buf, 10, 272).sessionName());
    }

    @Test
    void infoReqRefusesEmptyTruncatedWrongTypeOrBadUtf8() {
        ByteBuffer empty = ByteBuffer.allocate(272);
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeInfoReq(empty, 0, 272));
        ByteBuffer ok = ByteBuffer.allocate(272);
        RtrsCodec.encode(new InfoReq("s"), ok, 0);
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeInfoReq(ok, 0, 271));
        ok.put(0, (byte) 1);
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeInfoReq(ok, 0, 272));
        ByteBuffer bad = ByteBuffer.allocate(272);
        RtrsCodec.encode(new InfoReq("s"), bad, 0);
        bad.put(2, (byte) 0xC3).put(3, (byte) 0x28);
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeInfoReq(bad, 0, 272));
        assertThrows(IllegalArgumentException.class, () -> RtrsCodec.encode(new InfoReq("x".repeat(256)), ok, 0));
    }

    @Test
    void infoRspLayout() throws Exception {
        List<SgDesc> chunks = List.of(new SgDesc(0x1000_0000_0000L, 0x11, 8192), new SgDesc(0x2000, 0x22, 8192));
        ByteBuffer buf = ByteBuffer.allocate(InfoRsp.size(2));
        assertEquals(40, RtrsCodec.encode(new InfoRsp(chunks), buf, 0));
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, b.getShort(0));
        assertEquals(2, b.getShort(2));
        assertEquals(0, b.getInt(4));
        assertEquals(0x1000_0000_0000L, b.getLong(8));
        assertEquals(0x11, b.getInt(16));
        assertEquals(8192, b.getInt(20));
        assertEquals(0x2000, b.getLong(24));
        assertEquals(chunks, RtrsCodec.decodeInfoRsp(buf, 0, 40).chunks());
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeInfoRsp(buf, 0, 39));
        b.putInt(20, -1);
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeInfoRsp(buf, 0, 40));
    }

    @Test
    void rkeyRspLayout() throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(8);
        assertEquals(8, RtrsCodec.encode(new RkeyRsp(511, 0xCAFEBABE), buf, 0));
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(4, b.getShort(0));
        assertEquals(511, b.getShort(2));
        assertEquals(0xCAFEBABE, b.getInt(4));
        assertEquals(new RkeyRsp(511, 0xCAFEBABE), RtrsCodec.decodeRkeyRsp(buf, 0, 8));
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeRkeyRsp(buf, 0, 7));
    }

    @Test
    void writeMsgLayoutAndUserHeaderBounds() throws Exception {
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        assertEquals(4, RtrsCodec.encode(new WriteMsg(100), chunk, 612));
        ByteBuffer b = chunk.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, b.getShort(612));
        assertEquals(100, b.getShort(614));
        assertEquals(RtrsMessageType.WRITE, RtrsCodec.ioMessageType(chunk, 612, 8192 - 612));
        assertEquals(100, RtrsCodec.decodeWriteMsg(chunk, 612, 8192 - 612).usrLen());
        RtrsCodec.encode(new WriteMsg(100), chunk, 50);
        assertThrows(
                WireFormatException.class,
                () -> RtrsCodec.decodeWriteMsg(chunk, 50, 8000),
                "user header reaching before the chunk's start");
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeWriteMsg(chunk, 8190, 2));
    }

    @Test
    void readMsgLayout() throws Exception {
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        ReadMsg m = new ReadMsg(32, RtrsProtocol.FLAG_NEED_INVAL, List.of(new SgDesc(0xABCDEF, 7, 4096)));
        assertEquals(24, RtrsCodec.encode(m, chunk, 32));
        ByteBuffer b = chunk.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(3, b.getShort(32));
        assertEquals(32, b.getShort(34));
        assertEquals(1, b.getShort(36));
        assertEquals(1, b.getShort(38));
        assertEquals(0xABCDEF, b.getLong(40));
        assertEquals(7, b.getInt(48));
        assertEquals(4096, b.getInt(52));
        ReadMsg back = RtrsCodec.decodeReadMsg(chunk, 32, 8192 - 32);
        assertEquals(m, back);
        assertTrue(back.needInvalidate());
        assertEquals(4096, back.totalLength());
    }

    @Test
    void readMsgRefusesBadFlagsAndOverlongDescriptorLists() {
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        RtrsCodec.encode(new ReadMsg(0, 0, List.of(new SgDesc(1, 2, 3))), chunk, 0);
        ByteBuffer b = chunk.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(4, (short) 4);
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeReadMsg(chunk, 0, 8192));
        b.putShort(4, (short) 0);
        b.putShort(6, (short) 600);
        assertThrows(WireFormatException.class, () -> RtrsCodec.decodeReadMsg(chunk, 0, 8192));
        b.putShort(0, (short) 4);
        assertThrows(WireFormatException.class, () -> RtrsCodec.ioMessageType(chunk, 0, 8192));
        b.putShort(0, (short) 9);
        assertThrows(WireFormatException.class, () -> RtrsCodec.ioMessageType(chunk, 0, 8192));
    }

    @Test
    void immediateEncoding() throws Exception {
        assertEquals(0x8000_0000, Imm.encode(ImmType.HB_MSG, 0));
        assertEquals(0x9000_0000, Imm.encode(ImmType.HB_ACK, 0));
        assertEquals(ImmType.HB_ACK, Imm.type(0x9000_0000));
        assertThrows(WireFormatException.class, () -> Imm.type(0x3000_0000));
        assertThrows(WireFormatException.class, () -> Imm.type(0xF000_0000));

        assertEquals(9, Imm.chunkBits(512));
        assertEquals(10, Imm.chunkBits(513));
        assertEquals(1, Imm.chunkBits(2));
        assertEquals(16, Imm.chunkBits(65535));
        assertEquals(19, Imm.memBits(512));

        int req = Imm.ioRequest(511, 0x7FFFF, 19);
        assertEquals(ImmType.IO_REQ, Imm.type(req));
        assertEquals(511, Imm.bufId(Imm.payload(req), 19));
        assertEquals(0x7FFFF, Imm.offset(Imm.payload(req), 19));

        int rsp = Imm.ioResponse(0x7FFFF, -Errno.EIO, false);
        assertEquals(1 << 28 | 5 << 19 | 0x7FFFF, rsp);
        assertEquals(Errno.EIO, Imm.responseErrno(Imm.payload(rsp)));
        assertEquals(0x7FFFF, Imm.responseMsgId(Imm.payload(rsp)));
        int inv = Imm.ioResponse(3, 0, true);
        assertEquals(ImmType.IO_RSP_W_INV, Imm.type(inv));
        assertEquals(0, Imm.responseErrno(Imm.payload(inv)));
        assertFalse(Imm.responseErrno(Imm.payload(Imm.ioResponse(1, 511, false))) != 511);
    }

    @Test
    void messageTypeValues() throws Exception {
        assertArrayEquals(
                new int[] {0, 1, 2, 3, 4},
                Arrays.stream(RtrsMessageType.values())
                        .mapToInt(RtrsMessageType::wireValue)
                        .toArray());
        assertThrows(WireFormatException.class, () -> RtrsMessageType.fromWire(5));
    }
}
