package dev.rtrs.block.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every RNBD 2.0 field at its PROTOCOL.md offset, the sizes, round trips, that nothing outside a message is
 * written, and each refusal of a malformed message with its errno.
 */
class RnbdCodecTest {

    /** Messages are encoded at an odd offset between guard bytes, to catch writes outside them. */
    private static final int AT = 7;

    private static final byte GUARD = 0x55;

    private static ByteBuffer guarded(int size) {
        ByteBuffer b = ByteBuffer.allocate(AT + size + 9);
        Arrays.fill(b.array(), GUARD);
        return b;
    }

    /** Little-endian view of the encoded message, with index 0 at the message's first byte. */
    private static ByteBuffer message(ByteBuffer b, int size) {
        for (int i = 0; i < AT; i++) {
            assertEquals(GUARD, b.get(i), "byte " + i + " before the message untouched");
        }
        for (int i = AT + size; i < b.capacity(); i++) {
            assertEquals(GUARD, b.get(i), "byte " + i + " after the message untouched");
        }
        return b.duplicate().position(AT).limit(AT + size).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void zeroes(ByteBuffer m, int from, int to) {
        for (int i = from; i < to; i++) {
            assertEquals(0, m.get(i), "reserved or padding byte " + i);
        }
    }

    private static void refused(int errno, Executable decode) {
        assertEquals(errno, assertThrows(RnbdProtocolException.class, decode).errno());
    }

    @Test
    void sizesMatchTheKernelStructs() {
        assertEquals(36, RnbdSessInfo.SIZE);
        assertEquals(36, RnbdSessInfoRsp.SIZE);
        assertEquals(264, RnbdOpen.SIZE);
        assertEquals(8, RnbdClose.SIZE);
        assertEquals(56, RnbdOpenRsp.SIZE);
        assertEquals(32, RnbdIo.SIZE);
        assertEquals(4, RnbdCodec.HEADER_SIZE);
        assertEquals(264, RnbdCodec.MAX_MESSAGE_SIZE);
        assertEquals(32, new RnbdIo(1, 0, IoOperation.READ, 0, 0, 0).wireSize());
        assertEquals(264, new RnbdOpen(AccessMode.RO, "d").wireSize());
    }

    @Test
    void enumsOwnTheirWireValuesAndRejectUnknownOnes() throws Exception {
        assertArrayEquals(
                new int[] {0, 1, 2, 3, 4, 5},
                Arrays.stream(RnbdMessageType.values())
                        .mapToInt(RnbdMessageType::wireValue)
                        .toArray());
        assertArrayEquals(
                new int[] {0, 1, 2},
                Arrays.stream(AccessMode.values())
                        .mapToInt(AccessMode::wireValue)
                        .toArray());
        assertArrayEquals(
                new int[] {0, 1, 2, 3, 4, 5},
                Arrays.stream(IoOperation.values())
                        .mapToInt(IoOperation::wireValue)
                        .toArray());
        assertEquals(0x100, IoOperation.FLAG_SYNC);
        assertEquals(0x200, IoOperation.FLAG_FUA);
        assertEquals(1, RnbdOpenRsp.CACHE_FUA);
        assertEquals(2, RnbdOpenRsp.CACHE_WRITEBACK);
        for (RnbdMessageType t : RnbdMessageType.values()) {
            assertSame(t, RnbdMessageType.fromWire(t.wireValue()));
        }
        assertSame(AccessMode.MIGRATION, AccessMode.fromWire(2));
        assertSame(IoOperation.WRITE_ZEROES, IoOperation.fromWire(5));
        refused(Errno.EPROTO, () -> RnbdMessageType.fromWire(6));
        refused(Errno.EPROTO, () -> RnbdMessageType.fromWire(-1));
        refused(Errno.EINVAL, () -> AccessMode.fromWire(3));
        refused(Errno.EINVAL, () -> IoOperation.fromWire(6));
        refused(Errno.EINVAL, () -> IoOperation.fromWire(0xFF));
    }

    @Test
    void sessInfoLayout() throws Exception {
        ByteBuffer b = guarded(36);
        assertEquals(36, RnbdCodec.encode(new RnbdSessInfo(RnbdCodec.PROTOCOL_VERSION), b, AT));
        ByteBuffer m = message(b, 36);
        assertEquals(0, m.getShort(0), "type SESS_INFO");
        assertEquals(0, m.getShort(2), "header padding");
        assertEquals(2, m.get(4), "ver");
        zeroes(m, 5, 36);
        assertEquals(new RnbdSessInfo(2), RnbdCodec.decodeSessInfo(b, AT, 36));
        assertEquals(new RnbdSessInfo(255), RnbdCodec.decodeSessInfo(encoded(new RnbdSessInfo(255)), 0, 36));
    }

    @Test
    void sessInfoRspLayout() throws Exception {
        ByteBuffer b = guarded(36);
        assertEquals(36, RnbdCodec.encode(new RnbdSessInfoRsp(2), b, AT));
        ByteBuffer m = message(b, 36);
        assertEquals(1, m.getShort(0), "type SESS_INFO_RSP");
        assertEquals(2, m.get(4));
        zeroes(m, 5, 36);
        assertEquals(new RnbdSessInfoRsp(2), RnbdCodec.decodeSessInfoRsp(b, AT, 36));
        refused(Errno.EPROTO, () -> RnbdCodec.decodeSessInfo(b, AT, 36));
        refused(Errno.EBADMSG, () -> RnbdCodec.decodeSessInfoRsp(b, AT, 35));
    }

    @Test
    void openLayout() throws Exception {
        String name = "pool/vol-α";
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = guarded(264);
        assertEquals(264, RnbdCodec.encode(new RnbdOpen(AccessMode.RW, name), b, AT));
        ByteBuffer m = message(b, 264);
        assertEquals(2, m.getShort(0), "type OPEN");
        assertEquals(0, m.getShort(2));
        assertEquals(1, m.get(4), "access_mode RW");
        assertEquals(0, m.get(5), "reserved");
        byte[] field = new byte[utf8.length];
        m.get(6, field);
        assertArrayEquals(utf8, field, "dev_name at 6");
        zeroes(m, 6 + utf8.length, 264);
        assertEquals(new RnbdOpen(AccessMode.RW, name), RnbdCodec.decodeOpen(b, AT, 264));

        String longest = "d".repeat(254);
        ByteBuffer max = encoded(new RnbdOpen(AccessMode.MIGRATION, longest));
        assertEquals(0, max.get(6 + 254), "the NUL that ends the longest name");
        assertEquals(new RnbdOpen(AccessMode.MIGRATION, longest), RnbdCodec.decodeOpen(max, 0, 264));
    }

    @Test
    void openRefusesMalformedNamesModesAndSizes() {
        ByteBuffer ok = encoded(new RnbdOpen(AccessMode.RO, "disk"));
        refused(Errno.EBADMSG, () -> RnbdCodec.decodeOpen(ok, 0, 263));
        refused(Errno.EBADMSG, () -> RnbdCodec.decodeOpen(ok.duplicate().limit(263), 0, 264));
        refused(Errno.EBADMSG, () -> RnbdCodec.decodeOpen(ok, -1, 264));
        refused(Errno.EBADMSG, () -> RnbdCodec.decodeOpen(ok, 1, 264));

        ByteBuffer mode = encoded(new RnbdOpen(AccessMode.RO, "disk"));
        mode.put(4, (byte) 3);
        refused(Errno.EINVAL, () -> RnbdCodec.decodeOpen(mode, 0, 264));

        ByteBuffer empty = encoded(new RnbdOpen(AccessMode.RO, "disk"));
        empty.put(6, (byte) 0);
        refused(Errno.EINVAL, () -> RnbdCodec.decodeOpen(empty, 0, 264));

        ByteBuffer unterminated = encoded(new RnbdOpen(AccessMode.RO, "disk"));
        for (int i = 6; i < 6 + 255; i++) {
            unterminated.put(i, (byte) 'x');
        }
        refused(Errno.EINVAL, () -> RnbdCodec.decodeOpen(unterminated, 0, 264));

        ByteBuffer notUtf8 = encoded(new RnbdOpen(AccessMode.RO, "disk"));
        notUtf8.put(6, (byte) 0xC3).put(7, (byte) 0x28);
        refused(Errno.EINVAL, () -> RnbdCodec.decodeOpen(notUtf8, 0, 264));

        ByteBuffer wrongType = encoded(new RnbdOpen(AccessMode.RO, "disk"));
        wrongType.put(0, (byte) RnbdMessageType.CLOSE.wireValue());
        refused(Errno.EPROTO, () -> RnbdCodec.decodeOpen(wrongType, 0, 264));

        assertThrows(IllegalArgumentException.class, () -> new RnbdOpen(AccessMode.RO, ""));
        assertThrows(IllegalArgumentException.class, () -> new RnbdOpen(AccessMode.RO, "d".repeat(255)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new RnbdOpen(AccessMode.RO, "α".repeat(128)),
                "256 bytes of UTF-8 in 128 characters");
        assertThrows(IllegalArgumentException.class, () -> new RnbdOpen(AccessMode.RO, "a\0b"));
        assertThrows(IllegalArgumentException.class, () -> new RnbdOpen(AccessMode.RO, "\uD800"));
        assertThrows(NullPointerException.class, () -> new RnbdOpen(null, "d"));
    }

    @Test
    void closeLayout() throws Exception {
        ByteBuffer b = guarded(8);
        assertEquals(8, RnbdCodec.encode(new RnbdClose(0xDEADBEEF), b, AT));
        ByteBuffer m = message(b, 8);
        assertEquals(5, m.getShort(0), "type CLOSE");
        assertEquals(0, m.getShort(2));
        assertEquals(0xDEADBEEF, m.getInt(4), "device_id");
        assertEquals((byte) 0xEF, m.get(4), "little-endian");
        assertEquals(new RnbdClose(0xDEADBEEF), RnbdCodec.decodeClose(b, AT, 8));
        refused(Errno.EBADMSG, () -> RnbdCodec.decodeClose(b, AT, 7));
    }

    @Test
    void openRspLayout() throws Exception {
        RnbdOpenRsp rsp = RnbdOpenRsp.builder(0x01020304, 0x0000_0102_0304_0506L)
                .maxHwSectors(0x11121314L)
                .maxWriteZeroesSectors(0x21222324L)
                .maxDiscardSectors(0xFFFF_FFFFL)
                .discardGranularity(0x41424344L)
                .discardAlignment(0x51525354L)
                .blockSizes(4096, 8192)
                .maxSegments(0x6162)
                .secureDiscard(0x7172)
                .obsoleteRotational(0x81)
                .cachePolicy(RnbdOpenRsp.CACHE_FUA | RnbdOpenRsp.CACHE_WRITEBACK)
                .build();
        ByteBuffer b = guarded(56);
        assertEquals(56, RnbdCodec.encode(rsp, b, AT));
        ByteBuffer m = message(b, 56);
        assertEquals(3, m.getShort(0), "type OPEN_RSP");
        assertEquals(0, m.getShort(2));
        assertEquals(0x01020304, m.getInt(4), "device_id");
        assertEquals(0x0000_0102_0304_0506L, m.getLong(8), "nsectors");
        assertEquals(0x11121314, m.getInt(16), "max_hw_sectors");
        assertEquals(0x21222324, m.getInt(20), "max_write_same_sectors");
        assertEquals(-1, m.getInt(24), "max_discard_sectors");
        assertEquals(0x41424344, m.getInt(28), "discard_granularity");
        assertEquals(0x51525354, m.getInt(32), "discard_alignment");
        assertEquals(8192, m.getShort(36), "physical_block_size");
        assertEquals(4096, m.getShort(38), "logical_block_size");
        assertEquals(0x6162, m.getShort(40), "max_segments");
        assertEquals(0x7172, m.getShort(42), "secure_discard");
        assertEquals((byte) 0x81, m.get(44), "obsolete_rotational");
        assertEquals(3, m.get(45), "cache_policy");
        zeroes(m, 46, 56);
        RnbdOpenRsp back = RnbdCodec.decodeOpenRsp(b, AT, 56);
        assertEquals(rsp, back);
        assertEquals(0xFFFF_FFFFL, back.maxDiscardSectors(), "u32 fields come back unsigned");
        assertTrue(back.fua() && back.writeback());
        assertEquals(0x0000_0102_0304_0506L * 512, back.sizeBytes());
    }

    @Test
    void openRspRefusesInvalidGeometryAndCachePolicy() {
        RnbdOpenRsp valid = RnbdOpenRsp.builder(1, 2048).build();
        assertEquals(512, valid.logicalBlockSize());
        assertFalse(valid.fua() || valid.writeback());
        int[][] corruptions = {{45, 4}, {38, 0}, {38, 3}, {36, 0}, {15, 0x80}};
        for (int[] c : corruptions) {
            ByteBuffer b = encoded(valid);
            if (c[0] == 38 || c[0] == 36) {
                b.order(ByteOrder.LITTLE_ENDIAN).putShort(c[0], (short) c[1]);
            } else {
                b.put(c[0], (byte) c[1]);
            }
            refused(Errno.EINVAL, () -> RnbdCodec.decodeOpenRsp(b, 0, 56));
        }
        ByteBuffer smallPhysical =
                encoded(RnbdOpenRsp.builder(1, 2048).blockSizes(4096, 4096).build());
        smallPhysical.order(ByteOrder.LITTLE_ENDIAN).putShort(36, (short) 512);
        refused(Errno.EINVAL, () -> RnbdCodec.decodeOpenRsp(smallPhysical, 0, 56));
        refused(Errno.EBADMSG, () -> RnbdCodec.decodeOpenRsp(encoded(valid), 0, 55));
        assertThrows(
                IllegalArgumentException.class,
                () -> RnbdOpenRsp.builder(1, 1).maxSegments(0x10000).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> RnbdOpenRsp.builder(1, 1).maxHwSectors(1L << 32).build());
        assertThrows(
                IllegalArgumentException.class, () -> RnbdOpenRsp.builder(1, -1).build());
    }

    @Test
    void ioLayoutMatchesTheKernelsBytes() throws Exception {
        RnbdIo io = new RnbdIo(1, 0x10, IoOperation.WRITE, IoOperation.FLAG_FUA, 4096, 0x4003);
        ByteBuffer b = guarded(32);
        assertEquals(32, RnbdCodec.encode(io, b, AT));
        byte[] kernel = {
            4,
            0,
            0,
            0, // hdr: RNBD_MSG_IO, __padding
            1,
            0,
            0,
            0, // device_id
            0x10,
            0,
            0,
            0,
            0,
            0,
            0,
            0, // sector
            1,
            2,
            0,
            0, // rw: RNBD_OP_WRITE | RNBD_F_FUA
            0,
            0x10,
            0,
            0, // bi_size
            3,
            0x40, // prio
            0,
            0,
            0,
            0,
            0,
            0 // struct padding to 32
        };
        byte[] wire = new byte[32];
        message(b, 32).get(0, wire);
        assertArrayEquals(kernel, wire);
        assertEquals(io, RnbdCodec.decodeIo(b, AT, 32));
    }

    @Test
    void ioFieldsRoundTripForEveryOperationAndFlag() throws Exception {
        for (IoOperation op : IoOperation.values()) {
            for (int flags : new int[] {0, IoOperation.FLAG_SYNC, IoOperation.FLAG_FUA, IoOperation.FLAGS}) {
                RnbdIo io = new RnbdIo(-2, (1L << 54) - 1, op, flags, 0xFFFF_FFFFL, 0xFFFF);
                ByteBuffer m = encoded(io).order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(-2, m.getInt(4));
                assertEquals((1L << 54) - 1, m.getLong(8));
                assertEquals(op.wireValue() | flags, m.getInt(16));
                assertEquals(-1, m.getInt(20));
                assertEquals(-1, m.getShort(24));
                zeroes(m, 26, 32);
                RnbdIo back = RnbdCodec.decodeIo(m, 0, 32);
                assertEquals(io, back);
                assertEquals((flags & IoOperation.FLAG_FUA) != 0, back.fua());
                assertEquals((flags & IoOperation.FLAG_SYNC) != 0, back.sync());
            }
        }
        assertEquals(0x10L * 512, new RnbdIo(1, 0x10, IoOperation.READ, 0, 512, 0).offset());
    }

    @Test
    void ioRefusesUnknownOperationsFlagsAndOverflowingSectors() {
        int[] badRw = {6, 0xFF, 1 | 1 << 10, 1 << 31, IoOperation.FLAG_FUA | 0x400 | 1, 0x80};
        for (int rw : badRw) {
            ByteBuffer b =
                    encoded(new RnbdIo(1, 0, IoOperation.READ, 0, 512, 0)).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(16, rw);
            refused(Errno.EINVAL, () -> RnbdCodec.decodeIo(b, 0, 32));
        }
        for (long sector : new long[] {1L << 54, Long.MIN_VALUE, -1}) {
            ByteBuffer b =
                    encoded(new RnbdIo(1, 0, IoOperation.READ, 0, 512, 0)).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(8, sector);
            refused(Errno.EINVAL, () -> RnbdCodec.decodeIo(b, 0, 32));
        }
        ByteBuffer ok = encoded(new RnbdIo(1, 0, IoOperation.READ, 0, 512, 0));
        refused(Errno.EBADMSG, () -> RnbdCodec.decodeIo(ok, 0, 31));
        ByteBuffer roomy = ByteBuffer.allocate(64);
        RnbdCodec.encode(new RnbdIo(1, 0, IoOperation.READ, 0, 512, 0), roomy, 0);
        refused(Errno.EPROTO, () -> RnbdCodec.decodeOpenRsp(roomy, 0, 64));
        assertThrows(IllegalArgumentException.class, () -> new RnbdIo(1, 0, IoOperation.READ, 1 << 10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RnbdIo(1, 1L << 54, IoOperation.READ, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new RnbdIo(1, 0, IoOperation.READ, 0, 1L << 32, 0));
        assertThrows(IllegalArgumentException.class, () -> new RnbdIo(1, 0, IoOperation.READ, 0, 0, 0x10000));
    }

    @Test
    void decodeDispatchesOnTheHeaderType() throws Exception {
        RnbdMessage[] all = {
            new RnbdSessInfo(2),
            new RnbdSessInfoRsp(2),
            new RnbdOpen(AccessMode.RO, "x"),
            RnbdOpenRsp.builder(7, 8).build(),
            new RnbdIo(7, 1, IoOperation.FLUSH, 0, 0, 0),
            new RnbdClose(7)
        };
        for (RnbdMessage msg : all) {
            ByteBuffer b = ByteBuffer.allocate(300);
            assertEquals(msg.wireSize(), RnbdCodec.encode(msg, b, 3));
            assertSame(msg.type(), RnbdCodec.peekType(b, 3, msg.wireSize()));
            assertEquals(msg, RnbdCodec.decode(b, 3, msg.wireSize()));
        }
        ByteBuffer unknown = ByteBuffer.allocate(64);
        unknown.put(0, (byte) 6);
        refused(Errno.EPROTO, () -> RnbdCodec.decode(unknown, 0, 64));
        unknown.put(0, (byte) 0).put(1, (byte) 1);
        refused(Errno.EPROTO, () -> RnbdCodec.peekType(unknown, 0, 64));
        refused(Errno.EBADMSG, () -> RnbdCodec.peekType(unknown, 0, 3));
        refused(Errno.EBADMSG, () -> RnbdCodec.decode(ByteBuffer.allocate(2), 0, 4));
    }

    @Test
    void decodingIgnoresReservedBytesAndTrailingData() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(40);
        RnbdCodec.encode(new RnbdSessInfo(2), b, 0);
        b.put(2, (byte) 9).put(35, (byte) 9).put(36, (byte) 9);
        assertEquals(new RnbdSessInfo(2), RnbdCodec.decodeSessInfo(b, 0, 40));
    }

    @Test
    void codecLeavesBufferStateAloneAndWorksOnAnyBuffer() throws Exception {
        RnbdIo io = new RnbdIo(9, 3, IoOperation.DISCARD, IoOperation.FLAG_SYNC, 1 << 20, 0);
        ByteBuffer direct = ByteBuffer.allocateDirect(64).order(ByteOrder.BIG_ENDIAN);
        direct.position(5).limit(60);
        RnbdCodec.encode(io, direct, 10);
        assertEquals(5, direct.position());
        assertEquals(60, direct.limit());
        assertEquals(ByteOrder.BIG_ENDIAN, direct.order());
        assertEquals(4, direct.get(10), "little-endian whatever the buffer's order");
        assertEquals(io, RnbdCodec.decodeIo(direct.asReadOnlyBuffer(), 10, 32));
        assertEquals(5, direct.position());

        assertThrows(
                ReadOnlyBufferException.class,
                () -> RnbdCodec.encode(io, ByteBuffer.allocate(32).asReadOnlyBuffer(), 0));
        assertThrows(IndexOutOfBoundsException.class, () -> RnbdCodec.encode(io, ByteBuffer.allocate(31), 0));
        assertThrows(
                IndexOutOfBoundsException.class,
                () -> RnbdCodec.encode(io, ByteBuffer.allocate(64).limit(40), 9));
    }

    private static ByteBuffer encoded(RnbdMessage m) {
        ByteBuffer b = ByteBuffer.allocate(m.wireSize());
        RnbdCodec.encode(m, b, 0);
        return b;
    }
}
