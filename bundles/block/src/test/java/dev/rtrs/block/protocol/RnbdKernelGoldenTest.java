package dev.rtrs.block.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rtrs.errno.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * This project's RNBD codec against golden bytes written from the kernel's {@code drivers/block/rnbd/rnbd-proto.h}
 * (and the way {@code rnbd-clt.c} fills the messages), never from {@link RnbdCodec}: every encoder produces exactly
 * the kernel's bytes, every decoder reads them into the right record, including the bytes the kernel client leaves
 * uninitialised on its stack ({@code send_msg_open}, {@code send_msg_close} and {@code rnbd_client_xfer_request}
 * declare {@code struct rnbd_msg_* msg;} without zeroing it).
 */
class RnbdKernelGoldenTest {

    // enum rnbd_msg_type
    private static final int RNBD_MSG_SESS_INFO = 0;
    private static final int RNBD_MSG_SESS_INFO_RSP = 1;
    private static final int RNBD_MSG_OPEN = 2;
    private static final int RNBD_MSG_OPEN_RSP = 3;
    private static final int RNBD_MSG_IO = 4;
    private static final int RNBD_MSG_CLOSE = 5;
    // RNBD_PROTO_VER_MAJOR
    private static final int RNBD_PROTO_VER_MAJOR = 2;
    // enum rnbd_io_flags
    private static final int RNBD_OP_BITS = 8;
    private static final int RNBD_OP_WRITE = 1;
    private static final int RNBD_OP_FLUSH = 2;
    private static final int RNBD_OP_WRITE_ZEROES = 5;
    private static final int RNBD_OP_LAST = 6;
    private static final int RNBD_F_SYNC = 1 << (RNBD_OP_BITS + 0);
    private static final int RNBD_F_FUA = 1 << (RNBD_OP_BITS + 1);
    // enum rnbd_cache_policy
    private static final int RNBD_FUA = 1 << 0;
    private static final int RNBD_WRITEBACK = 1 << 1;
    private static final int NAME_MAX = 255;

    /** What uninitialised stack bytes look like in the goldens. */
    private static final byte JUNK = (byte) 0xCC;

    // ---- golden layouts ----

    /** A struct of {@code size} bytes, zeroed (or filled with junk), little-endian stores at byte offsets. */
    private static final class Le {
        final byte[] b;

        Le(int size, byte fill) {
            b = new byte[size];
            Arrays.fill(b, fill);
        }

        Le u8(int at, int v) {
            b[at] = (byte) v;
            return this;
        }

        Le u16(int at, int v) {
            b[at] = (byte) v;
            b[at + 1] = (byte) (v >>> 8);
            return this;
        }

        Le u32(int at, int v) {
            return u16(at, v).u16(at + 2, v >>> 16);
        }

        Le u64(int at, long v) {
            return u32(at, (int) v).u32(at + 4, (int) (v >>> 32));
        }
    }

    /** {@code struct rnbd_msg_hdr}: type @0, {@code __padding} @2 (left as {@code fill}). */
    private static Le hdr(int size, int type, byte fill) {
        return new Le(size, fill).u16(0, type);
    }

    /** {@code struct rnbd_msg_sess_info} / {@code rnbd_msg_sess_info_rsp}: 36 bytes. */
    private static byte[] sessInfo(int type, int ver, byte fill) {
        return hdr(36, type, fill)
                .u8(4, ver) // ver
                // reserved[31] at 5..35
                .b;
    }

    /** {@code struct rnbd_msg_open}: 264 bytes, dev_name filled by strscpy (NUL-terminated, not padded). */
    private static byte[] open(int accessMode, String devName, byte fill) {
        Le m = hdr(264, RNBD_MSG_OPEN, fill).u8(4, accessMode); // access_mode; resv1 at 5 untouched
        byte[] name = devName.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(name, 0, m.b, 6, name.length); // dev_name[NAME_MAX] at 6
        m.u8(6 + name.length, 0); // strscpy's terminating NUL; reserved[3] at 261..263 untouched
        return m.b;
    }

    /** {@code struct rnbd_msg_close}: 8 bytes. */
    private static byte[] close(int deviceId, byte fill) {
        return hdr(8, RNBD_MSG_CLOSE, fill).u32(4, deviceId).b; // device_id
    }

    /** {@code struct rnbd_msg_io}: 26 bytes of fields, {@code sizeof} 32 (aligned to its {@code __le64}). */
    private static byte[] io(int deviceId, long sector, int rw, int biSize, int prio, byte fill) {
        return hdr(32, RNBD_MSG_IO, fill)
                .u32(4, deviceId) // device_id
                .u64(8, sector) // sector: blk_rq_pos
                .u32(16, rw) // rw: rq_to_rnbd_flags
                .u32(20, biSize) // bi_size: blk_rq_bytes
                .u16(24, prio) // prio: req_get_ioprio; 26..31 struct padding
                .b;
    }

    // ---- helpers ----

    private static byte[] encoded(RnbdMessage m) {
        ByteBuffer b = ByteBuffer.allocate(m.wireSize() + 32);
        Arrays.fill(b.array(), JUNK);
        int n = RnbdCodec.encode(m, b, 16);
        assertEquals(m.wireSize(), n);
        for (int i = 0; i < 16; i++) {
            assertEquals(JUNK, b.get(i), "byte before the message");
            assertEquals(JUNK, b.get(16 + n + i), "byte after the message");
        }
        return Arrays.copyOfRange(b.array(), 16, 16 + n);
    }

    private static RnbdMessage decoded(byte[] golden) throws RnbdProtocolException {
        ByteBuffer b = ByteBuffer.allocate(golden.length + 16);
        b.put(8, golden);
        return RnbdCodec.decode(b, 8, golden.length);
    }

    // ---- the messages ----

    @Test
    void sessInfo() throws Exception {
        // send_msg_sess_info: hdr.type and ver set, msg itself on the stack
        RnbdSessInfo m = new RnbdSessInfo(RnbdCodec.PROTOCOL_VERSION);
        assertEquals(RNBD_PROTO_VER_MAJOR, RnbdCodec.PROTOCOL_VERSION);
        assertArrayEquals(sessInfo(RNBD_MSG_SESS_INFO, RNBD_PROTO_VER_MAJOR, (byte) 0), encoded(m));
        assertEquals(m, decoded(sessInfo(RNBD_MSG_SESS_INFO, RNBD_PROTO_VER_MAJOR, (byte) 0)));
        assertEquals(m, decoded(sessInfo(RNBD_MSG_SESS_INFO, RNBD_PROTO_VER_MAJOR, JUNK)));
    }

    @Test
    void sessInfoRsp() throws Exception {
        RnbdSessInfoRsp m = new RnbdSessInfoRsp(2);
        assertArrayEquals(sessInfo(RNBD_MSG_SESS_INFO_RSP, 2, (byte) 0), encoded(m));
        assertEquals(m, decoded(sessInfo(RNBD_MSG_SESS_INFO_RSP, 2, (byte) 0)));
        assertEquals(new RnbdSessInfoRsp(1), decoded(sessInfo(RNBD_MSG_SESS_INFO_RSP, 1, JUNK)));
    }

    @Test
    void openInEveryAccessMode() throws Exception {
        String name = "vg0/lv-data_01";
        for (AccessMode mode : AccessMode.values()) {
            RnbdOpen m = new RnbdOpen(mode, name);
            assertArrayEquals(open(mode.wireValue(), name, (byte) 0), encoded(m), mode.name());
            assertEquals(m, decoded(open(mode.wireValue(), name, (byte) 0)));
            // the kernel client's resv1, tail of dev_name and reserved[3] are stack junk
            assertEquals(m, decoded(open(mode.wireValue(), name, JUNK)), mode.name());
        }
        assertEquals(0, AccessMode.RO.wireValue()); // RNBD_ACCESS_RO
        assertEquals(1, AccessMode.RW.wireValue()); // RNBD_ACCESS_RW
        assertEquals(2, AccessMode.MIGRATION.wireValue()); // RNBD_ACCESS_MIGRATION
    }

    @Test
    void openWithTheLongestNameStrscpyKeeps() throws Exception {
        String name = "d".repeat(NAME_MAX - 1);
        RnbdOpen m = new RnbdOpen(AccessMode.RW, name);
        byte[] golden = open(1, name, JUNK);
        assertEquals(0, golden[6 + NAME_MAX - 1], "strscpy's NUL in the last byte of dev_name");
        assertArrayEquals(open(1, name, (byte) 0), encoded(m));
        assertEquals(m, decoded(golden));
    }

    @Test
    void close() throws Exception {
        RnbdClose m = new RnbdClose(0xFEDC_BA98);
        assertArrayEquals(close(0xFEDC_BA98, (byte) 0), encoded(m));
        assertEquals(m, decoded(close(0xFEDC_BA98, (byte) 0)));
        // send_msg_close never sets hdr.__padding
        assertEquals(m, decoded(close(0xFEDC_BA98, JUNK)));
    }

    @Test
    void openRspWithEveryFieldAtItsOffset() throws Exception {
        // distinct values, so that a field at a neighbour's offset shows
        Le golden = hdr(56, RNBD_MSG_OPEN_RSP, (byte) 0)
                .u32(4, 0x0102_0304) // device_id
                .u64(8, 0x0000_0012_3456_789AL) // nsectors
                .u32(16, 0x0000_0800) // max_hw_sectors
                .u32(20, 0x0001_0000) // max_write_zeroes_sectors (formerly max_write_same_sectors)
                .u32(24, 0x0040_0000) // max_discard_sectors
                .u32(28, 0x0000_1000) // discard_granularity
                .u32(32, 0x0000_0200) // discard_alignment
                .u16(36, 4096) // physical_block_size
                .u16(38, 512) // logical_block_size
                .u16(40, 128) // max_segments
                .u16(42, 0xFFFF) // secure_discard
                .u8(44, 1) // obsolete_rotational
                .u8(45, RNBD_FUA | RNBD_WRITEBACK); // cache_policy; reserved[10] at 46..55
        RnbdOpenRsp m = new RnbdOpenRsp(
                0x0102_0304,
                0x0000_0012_3456_789AL,
                0x800,
                0x1_0000,
                0x40_0000,
                0x1000,
                0x200,
                4096,
                512,
                128,
                0xFFFF,
                1,
                RnbdOpenRsp.CACHE_FUA | RnbdOpenRsp.CACHE_WRITEBACK);
        assertArrayEquals(golden.b, encoded(m));
        assertEquals(m, decoded(golden.b));
        assertEquals(0x1_0000, ((RnbdOpenRsp) decoded(golden.b)).maxWriteZeroesSectors());
        assertEquals(RNBD_FUA, RnbdOpenRsp.CACHE_FUA);
        assertEquals(RNBD_WRITEBACK, RnbdOpenRsp.CACHE_WRITEBACK);
    }

    @Test
    void openRspWithUnsignedExtremes() throws Exception {
        Le golden = hdr(56, RNBD_MSG_OPEN_RSP, (byte) 0)
                .u32(4, -1)
                .u64(8, 1L << 40)
                .u32(16, -1)
                .u32(20, -1)
                .u32(24, -1)
                .u32(28, -1)
                .u32(32, -1)
                .u16(36, 32768)
                .u16(38, 32768)
                .u16(40, 0xFFFF)
                .u16(42, 0)
                .u8(44, 0xFF)
                .u8(45, 0);
        RnbdOpenRsp m = new RnbdOpenRsp(
                -1,
                1L << 40,
                0xFFFF_FFFFL,
                0xFFFF_FFFFL,
                0xFFFF_FFFFL,
                0xFFFF_FFFFL,
                0xFFFF_FFFFL,
                32768,
                32768,
                0xFFFF,
                0,
                0xFF,
                0);
        assertArrayEquals(golden.b, encoded(m));
        assertEquals(m, decoded(golden.b));
    }

    @Test
    void ioOfEveryOperationAndFlag() throws Exception {
        int[] flagSets = {0, RNBD_F_SYNC, RNBD_F_FUA, RNBD_F_SYNC | RNBD_F_FUA};
        for (IoOperation op : IoOperation.values()) {
            for (int flags : flagSets) {
                int rw = op.wireValue() | flags;
                RnbdIo m = new RnbdIo(0x0000_0007, 0x0012_3456_789AL, op, flags, 0x0002_0000, 0x4003);
                byte[] golden = io(7, 0x0012_3456_789AL, rw, 0x0002_0000, 0x4003, (byte) 0);
                assertArrayEquals(golden, encoded(m), op + " " + flags);
                assertEquals(rw, m.rw());
                assertEquals(m, decoded(golden));
                // hdr.__padding and the struct's tail padding are stack junk in rnbd_client_xfer_request
                assertEquals(m, decoded(io(7, 0x0012_3456_789AL, rw, 0x0002_0000, 0x4003, JUNK)));
            }
        }
    }

    @Test
    void ioOperationsAndFlagsAreTheKernels() {
        assertEquals(0, IoOperation.READ.wireValue()); // RNBD_OP_READ
        assertEquals(RNBD_OP_WRITE, IoOperation.WRITE.wireValue());
        assertEquals(RNBD_OP_FLUSH, IoOperation.FLUSH.wireValue());
        assertEquals(3, IoOperation.DISCARD.wireValue()); // RNBD_OP_DISCARD
        assertEquals(4, IoOperation.SECURE_ERASE.wireValue()); // RNBD_OP_SECURE_ERASE
        assertEquals(RNBD_OP_WRITE_ZEROES, IoOperation.WRITE_ZEROES.wireValue()); // once RNBD_OP_WRITE_SAME
        assertEquals(RNBD_OP_LAST, IoOperation.values().length);
        assertEquals(RNBD_F_SYNC, IoOperation.FLAG_SYNC);
        assertEquals(RNBD_F_FUA, IoOperation.FLAG_FUA);
        assertEquals((1 << RNBD_OP_BITS) - 1, IoOperation.OPERATION_MASK); // RNBD_OP_MASK
    }

    @Test
    void ioWhatRnbdFlagsSupportedRefusesIsRefused() {
        // rnbd_flags_supported: op >= RNBD_OP_LAST, or a flag outside RNBD_F_ALL
        RnbdProtocolException op =
                assertThrows(RnbdProtocolException.class, () -> decoded(io(1, 0, RNBD_OP_LAST, 512, 0, (byte) 0)));
        assertEquals(Errno.EINVAL, op.errno());
        RnbdProtocolException flag = assertThrows(
                RnbdProtocolException.class,
                () -> decoded(io(1, 0, RNBD_OP_WRITE | 1 << (RNBD_OP_BITS + 2), 512, 0, (byte) 0)));
        assertEquals(Errno.EINVAL, flag.errno());
    }

    @Test
    void structSizesAreTheKernels() {
        assertEquals(36, RnbdSessInfo.SIZE); // sizeof(struct rnbd_msg_sess_info)
        assertEquals(36, RnbdSessInfoRsp.SIZE);
        assertEquals(264, RnbdOpen.SIZE); // 4 + 1 + 1 + NAME_MAX + 3
        assertEquals(8, RnbdClose.SIZE);
        assertEquals(56, RnbdOpenRsp.SIZE);
        assertEquals(32, RnbdIo.SIZE);
        assertEquals(NAME_MAX, RnbdOpen.NAME_FIELD_SIZE);
        assertEquals(RNBD_MSG_SESS_INFO, RnbdMessageType.SESS_INFO.wireValue());
        assertEquals(RNBD_MSG_SESS_INFO_RSP, RnbdMessageType.SESS_INFO_RSP.wireValue());
        assertEquals(RNBD_MSG_OPEN, RnbdMessageType.OPEN.wireValue());
        assertEquals(RNBD_MSG_OPEN_RSP, RnbdMessageType.OPEN_RSP.wireValue());
        assertEquals(RNBD_MSG_IO, RnbdMessageType.IO.wireValue());
        assertEquals(RNBD_MSG_CLOSE, RnbdMessageType.CLOSE.wireValue());
    }
}
