package dev.rtrs.transport.core.internal.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.rtrs.transport.core.internal.wire.KernelLayouts.Desc;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * This project's RTRS codec against golden bytes written from the kernel's structs ({@link KernelLayouts}): every
 * encoder produces exactly the kernel's bytes, every decoder reads the kernel's bytes into the right record, and
 * the immediate helpers agree with the kernel's formulas at their boundaries.
 */
class KernelWireGoldenTest {

    private static final UUID PATH = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
    private static final UUID SESSION = UUID.fromString("f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f");
    /** Bytes around a message in a buffer, to show that the codec writes nothing outside it. */
    private static final byte GUARD = (byte) 0xA5;

    private static final int ENXIO = 6;

    /** Encodes into a guarded buffer at offset 16 and returns the message bytes, checking the guards. */
    private interface Encoder {
        int encode(ByteBuffer dst, int offset);
    }

    private static byte[] encoded(int size, Encoder encoder) {
        ByteBuffer b = ByteBuffer.allocate(16 + size + 16);
        Arrays.fill(b.array(), GUARD);
        int n = encoder.encode(b, 16);
        assertEquals(size, n, "encoded size");
        for (int i = 0; i < 16; i++) {
            assertEquals(GUARD, b.get(i), "byte before the message");
            assertEquals(GUARD, b.get(16 + size + i), "byte after the message");
        }
        return Arrays.copyOfRange(b.array(), 16, 16 + size);
    }

    /** The golden bytes at offset {@code at} of a buffer of garbage. */
    private static ByteBuffer placed(byte[] golden, int at, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        Arrays.fill(b.array(), GUARD);
        b.put(at, golden);
        return b;
    }

    // ---- CON_REQ ----

    @Test
    void conReqOfTheFirstConnectionOfTheFirstPath() throws Exception {
        // the kernel's first attempt: init_conns() has raised recon_cnt to 1; a 4-CPU client has cid_num 5
        byte[] golden = KernelLayouts.conReq(0, 5, 1, PATH, SESSION, true);
        ConReq req = new ConReq(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 5, 1, PATH, SESSION, true);
        assertArrayEquals(golden, RtrsCodec.encode(req));
        assertEquals(req, RtrsCodec.decodeConReq(golden));
    }

    @Test
    void conReqOfALaterConnectionOfAnotherPath() throws Exception {
        byte[] golden = KernelLayouts.conReq(4, 5, 0xFFFF, PATH, SESSION, false);
        ConReq req = new ConReq(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 4, 5, 0xFFFF, PATH, SESSION, false);
        assertArrayEquals(golden, RtrsCodec.encode(req));
        assertEquals(req, RtrsCodec.decodeConReq(golden));
    }

    @Test
    void conReqUuidsAreRawBytesInTextOrder() {
        byte[] golden = KernelLayouts.conReq(0, 1, 1, PATH, SESSION, true);
        // sess_uuid at 12: 00 11 22 ... ff, paths_uuid at 28: f0 e1 d2 ...
        assertEquals(0x00, golden[12]);
        assertEquals(0x11, golden[13]);
        assertEquals((byte) 0xFF, golden[27]);
        assertEquals((byte) 0xF0, golden[28]);
        assertEquals(0x0F, golden[43]);
        assertEquals(PATH, KernelLayouts.uuidAt(golden, 12));
    }

    @Test
    void conReqReservedBytesAreIgnoredAsTheKernelServerIgnoresThem() throws Exception {
        // the kernel server reads first_conn as one bit; a client's garbage in reserved[11] does not matter
        byte[] golden = KernelLayouts.conReq(1, 2, 3, PATH, SESSION, true);
        byte[] dirty = golden.clone();
        Arrays.fill(dirty, 45, 56, GUARD);
        assertEquals(RtrsCodec.decodeConReq(golden), RtrsCodec.decodeConReq(dirty));
    }

    // ---- CON_RSP ----

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void conRspAsTheKernelServerAccepts(boolean alwaysInvalidate) throws Exception {
        // DEFAULT_MAX_CHUNK_SIZE 128 KiB, DEFAULT_SESS_QUEUE_DEPTH 512
        byte[] golden = KernelLayouts.conRspAccept(512, 128 << 10, alwaysInvalidate);
        ConRsp rsp = ConRsp.accept(512, (128 << 10) - 4096, 4096, alwaysInvalidate ? RtrsProtocol.FLAG_NEW_RKEY : 0);
        assertArrayEquals(golden, RtrsCodec.encode(rsp));
        assertEquals(rsp, RtrsCodec.decodeConRsp(golden));
        assertNull(RtrsCodec.decodeConRsp(golden).acceptProblem());
    }

    @Test
    void conRspOfTheLargestQueueDepth() throws Exception {
        byte[] golden = KernelLayouts.conRsp(0, 65535, 8192 - 4096, 4096, 0);
        ConRsp rsp = ConRsp.accept(65535, 4096, 4096, 0);
        assertArrayEquals(golden, RtrsCodec.encode(rsp));
        assertEquals(rsp, RtrsCodec.decodeConRsp(golden));
    }

    @Test
    void conRspAsTheKernelServerRejects() throws Exception {
        // rtrs_rdma_do_reject: magic, version, errno = cpu_to_le16(-ENXIO), all else 0
        byte[] golden = KernelLayouts.conRsp(-ENXIO, 0, 0, 0, 0);
        assertEquals((byte) 0xFA, golden[4]);
        assertEquals((byte) 0xFF, golden[5]);
        assertArrayEquals(golden, RtrsCodec.encode(ConRsp.reject(ENXIO)));
        ConRsp decoded = RtrsCodec.decodeConRsp(golden);
        assertEquals(-ENXIO, decoded.errno());
        assertEquals(RtrsProtocol.MAGIC, decoded.magic());
    }

    // ---- INFO_REQ / INFO_RSP ----

    @Test
    void infoReq() throws Exception {
        byte[] golden = KernelLayouts.infoReq("blk-sess_01");
        assertEquals(272, golden.length);
        assertArrayEquals(golden, encoded(272, (b, at) -> RtrsCodec.encode(new InfoReq("blk-sess_01"), b, at)));
        ByteBuffer src = placed(golden, 8, 300);
        assertEquals(new InfoReq("blk-sess_01"), RtrsCodec.decodeInfoReq(src, 8, 272));
    }

    @Test
    void infoReqWithTheLongestName() throws Exception {
        String name = "n".repeat(254);
        byte[] golden = KernelLayouts.infoReq(name);
        assertArrayEquals(golden, encoded(272, (b, at) -> RtrsCodec.encode(new InfoReq(name), b, at)));
        assertEquals(new InfoReq(name), RtrsCodec.decodeInfoReq(ByteBuffer.wrap(golden), 0, 272));
    }

    @Test
    void infoRspInTheKernelsOneDescriptorPerRegionForm() throws Exception {
        // without always_invalidate: fewer regions than chunks, each a whole number of chunks
        Desc[] desc = {
            new Desc(0xFFFF_8000_1234_0000L, 0x0102_0304, 4 * 16384), new Desc(0x0000_7F00_0000_0000L, -2, 4 * 16384)
        };
        byte[] golden = KernelLayouts.infoRsp(desc);
        InfoRsp rsp = new InfoRsp(List.of(
                new SgDesc(0xFFFF_8000_1234_0000L, 0x0102_0304, 4 * 16384),
                new SgDesc(0x0000_7F00_0000_0000L, -2, 4 * 16384)));
        assertArrayEquals(golden, encoded(golden.length, (b, at) -> RtrsCodec.encode(rsp, b, at)));
        assertEquals(rsp, RtrsCodec.decodeInfoRsp(placed(golden, 0, golden.length + 40), 0, golden.length));
        ChunkTable table = ChunkTable.of(rsp.chunks(), 8, 16384);
        // process_info_rsp: rbufs[i].addr advances by chunk_size within a descriptor
        assertEquals(0xFFFF_8000_1234_0000L + 3 * 16384, table.address(3));
        assertEquals(0x0102_0304, table.key(3));
        assertEquals(0x0000_7F00_0000_0000L + 16384, table.address(5));
        assertEquals(-2, table.key(5));
    }

    @Test
    void infoRspWithADescriptorPerChunk() throws Exception {
        Desc[] desc = new Desc[4];
        SgDesc[] sg = new SgDesc[4];
        for (int i = 0; i < 4; i++) {
            desc[i] = new Desc(0x1000_0000L + i * 8192L, 0x100 + i, 8192);
            sg[i] = new SgDesc(0x1000_0000L + i * 8192L, 0x100 + i, 8192);
        }
        byte[] golden = KernelLayouts.infoRsp(desc);
        InfoRsp rsp = new InfoRsp(List.of(sg));
        assertArrayEquals(golden, encoded(golden.length, (b, at) -> RtrsCodec.encode(rsp, b, at)));
        assertEquals(rsp, RtrsCodec.decodeInfoRsp(ByteBuffer.wrap(golden), 0, golden.length));
    }

    // ---- IO messages ----

    @Test
    void rdmaWrite() throws Exception {
        byte[] golden = KernelLayouts.rdmaWrite(32);
        assertArrayEquals(golden, encoded(4, (b, at) -> RtrsCodec.encode(new WriteMsg(32), b, at)));
        assertArrayEquals(golden, encoded(4, (b, at) -> RtrsCodec.putWriteMsg(b, at, 32)));
        // in a chunk as the kernel client lays it out: 100 bytes of data, 32 of user message, then the message
        byte[] chunk = KernelLayouts.clientWriteChunk(new byte[100], new byte[32]);
        ByteBuffer b = placed(chunk, 0, 8192);
        assertEquals(RtrsMessageType.WRITE, RtrsCodec.ioMessageType(b, 132, 8192 - 132));
        assertEquals(new WriteMsg(32), RtrsCodec.decodeWriteMsg(b, 132, 8192 - 132));
    }

    @Test
    void rdmaReadWithTheFastRegisteredBufferOfTheKernelClient() throws Exception {
        Desc d = new Desc(0xFFFF_9ABC_DEF0_1000L, 0x00AB_CD01, 4096);
        byte[] golden = KernelLayouts.rdmaRead(32, KernelLayouts.RTRS_MSG_NEED_INVAL_F, d);
        assertEquals(24, golden.length);
        ReadMsg msg = new ReadMsg(32, RtrsProtocol.FLAG_NEED_INVAL, List.of(new SgDesc(d.addr(), d.key(), d.len())));
        assertArrayEquals(golden, encoded(24, (b, at) -> RtrsCodec.encode(msg, b, at)));
        assertArrayEquals(
                golden,
                encoded(
                        24,
                        (b, at) -> RtrsCodec.putReadMsg(
                                b, at, 32, RtrsProtocol.FLAG_NEED_INVAL, d.addr(), d.key(), d.len())));
        // at chunk offset data_len + usr_len, where rtrs_clt_read_req's immediate points
        byte[] request = KernelLayouts.clientReadRequest(new byte[32], KernelLayouts.RTRS_MSG_NEED_INVAL_F, d);
        ByteBuffer chunk = placed(request, 4096, 8192);
        assertEquals(RtrsMessageType.READ, RtrsCodec.ioMessageType(chunk, 4128, 8192 - 4128));
        assertEquals(msg, RtrsCodec.decodeReadMsg(chunk, 4128, 8192 - 4128));
    }

    @Test
    void rdmaReadWithoutData() throws Exception {
        // rtrs_clt_read_req without a scatter list: sg_cnt 0, flags 0
        byte[] golden = KernelLayouts.rdmaRead(36, 0);
        assertEquals(8, golden.length);
        ReadMsg msg = new ReadMsg(36, 0, List.of());
        assertArrayEquals(golden, encoded(8, (b, at) -> RtrsCodec.encode(msg, b, at)));
        assertArrayEquals(golden, encoded(8, (b, at) -> RtrsCodec.putReadMsg(b, at, 36, 0, 0, 0, 0)));
        assertEquals(msg, RtrsCodec.decodeReadMsg(placed(golden, 36, 200), 36, 164));
    }

    @Test
    void rkeyRsp() throws Exception {
        byte[] golden = KernelLayouts.rkeyRsp(65534, 0x8765_4321);
        RkeyRsp rsp = new RkeyRsp(65534, 0x8765_4321);
        assertArrayEquals(golden, encoded(8, (b, at) -> RtrsCodec.encode(rsp, b, at)));
        assertArrayEquals(golden, encoded(8, (b, at) -> RtrsCodec.putRkeyRsp(b, at, 65534, 0x8765_4321)));
        assertEquals(rsp, RtrsCodec.decodeRkeyRsp(ByteBuffer.wrap(golden), 0, 8));
    }

    // ---- immediate data ----

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 128, 129, 512, 513, 4096, 65535})
    void memBitsAsTheKernelComputesThem(int queueDepth) {
        assertEquals(KernelLayouts.chunkBits(queueDepth), Imm.chunkBits(queueDepth));
        assertEquals(KernelLayouts.memBits(queueDepth), Imm.memBits(queueDepth));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 128, 512, 65535})
    void ioRequestImmediatesAtTheBoundaries(int queueDepth) throws Exception {
        int memBits = KernelLayouts.memBits(queueDepth);
        int maxOffset = (1 << memBits) - 1;
        for (int bufId : new int[] {0, 1, queueDepth - 1}) {
            for (int offset : new int[] {0, 4, maxOffset}) {
                // alloc_permits + rtrs_clt_write_req: mem_off + data_len + usr_len
                int kernel = KernelLayouts.ioReqImm(bufId, queueDepth, offset);
                assertEquals(kernel, Imm.ioRequest(bufId, offset, Imm.memBits(queueDepth)), "encode " + bufId);
                // rtrs_srv_rdma_done's decoding of the kernel's immediate
                assertEquals(ImmType.IO_REQ, Imm.type(kernel));
                assertEquals(KernelLayouts.RTRS_IO_REQ_IMM, KernelLayouts.immType(kernel));
                int payload = Imm.payload(kernel);
                assertEquals(KernelLayouts.immPayload(kernel), payload);
                assertEquals(bufId, KernelLayouts.srvMsgId(payload, memBits));
                assertEquals(KernelLayouts.srvMsgId(payload, memBits), Imm.bufId(payload, Imm.memBits(queueDepth)));
                assertEquals(KernelLayouts.srvOff(payload, memBits), Imm.offset(payload, Imm.memBits(queueDepth)));
            }
        }
    }

    @Test
    void ioRequestImmediateOfTheLargestQueueDepthUsesTheTopBit() {
        // 65535 chunks: chunk_bits 16, mem_bits 12; chunk 65534 at offset 4095 fills all 28 payload bits but one
        int imm = KernelLayouts.ioReqImm(65534, 65535, 4095);
        assertEquals(0x0FFF_EFFF, imm);
        assertEquals(imm, Imm.ioRequest(65534, 4095, Imm.memBits(65535)));
    }

    @Test
    void ioResponseImmediatesAtTheBoundaries() throws Exception {
        for (int msgId : new int[] {0, 1, 511, 65534, 0x7FFFF}) {
            for (int errno : new int[] {0, 5, 511}) {
                for (boolean wInval : new boolean[] {false, true}) {
                    int kernel = KernelLayouts.ioRspImm(msgId, errno, wInval);
                    assertEquals(kernel, Imm.ioResponse(msgId, errno, wInval), msgId + "/" + errno + "/" + wInval);
                    // the kernel server passes a negative errno (send_io_resp_imm with the handler's -EIO)
                    assertEquals(kernel, KernelLayouts.ioRspImm(msgId, -errno, wInval));
                    assertEquals(kernel, Imm.ioResponse(msgId, -errno, wInval));
                    assertEquals(wInval ? ImmType.IO_RSP_W_INV : ImmType.IO_RSP, Imm.type(kernel));
                    assertEquals(
                            wInval ? KernelLayouts.RTRS_IO_RSP_W_INV_IMM : KernelLayouts.RTRS_IO_RSP_IMM,
                            KernelLayouts.immType(kernel));
                    int payload = Imm.payload(kernel);
                    assertEquals(KernelLayouts.ioRspMsgId(payload), Imm.responseMsgId(payload));
                    assertEquals(msgId, Imm.responseMsgId(payload));
                    // rtrs_from_io_rsp_imm hands on -errno; this project's decoder the positive errno
                    assertEquals(KernelLayouts.ioRspErrno(payload), -Imm.responseErrno(payload));
                    assertEquals(errno, Imm.responseErrno(payload));
                }
            }
        }
    }

    @Test
    void ioResponseImmediateIsExactlyTheKernelsBits() {
        // EIO on chunk 3 with invalidation: type 2, errno 5 << 19, msg_id 3
        assertEquals(0x2000_0000 | 5 << 19 | 3, KernelLayouts.ioRspImm(3, -5, true));
        assertEquals(0x2000_0000 | 5 << 19 | 3, Imm.ioResponse(3, 5, true));
        // msg_id bits above 19 are cut, as the kernel's mask does
        assertEquals(KernelLayouts.ioRspImm(0x80001, 0, false), Imm.ioResponse(0x80001, 0, false));
    }

    @Test
    void heartbeatImmediates() throws Exception {
        assertEquals(0x8000_0000, KernelLayouts.hbMsgImm());
        assertEquals(0x9000_0000, KernelLayouts.hbAckImm());
        assertEquals(KernelLayouts.hbMsgImm(), Imm.encode(ImmType.HB_MSG, 0));
        assertEquals(KernelLayouts.hbAckImm(), Imm.encode(ImmType.HB_ACK, 0));
        assertEquals(ImmType.HB_MSG, Imm.type(KernelLayouts.hbMsgImm()));
        assertEquals(ImmType.HB_ACK, Imm.type(KernelLayouts.hbAckImm()));
    }

    @Test
    void everyImmediateTypeTheKernelDefines() throws Exception {
        int[] kernelTypes = {
            KernelLayouts.RTRS_IO_REQ_IMM,
            KernelLayouts.RTRS_IO_RSP_IMM,
            KernelLayouts.RTRS_IO_RSP_W_INV_IMM,
            KernelLayouts.RTRS_HB_MSG_IMM,
            KernelLayouts.RTRS_HB_ACK_IMM
        };
        for (int t : kernelTypes) {
            assertEquals(t, ImmType.fromWire(t).wireValue());
            assertEquals(KernelLayouts.toImm(t, 0x0ABC_DEF1), Imm.encode(ImmType.fromWire(t), 0x0ABC_DEF1));
        }
        for (int t = 0; t < 16; t++) {
            final int type = t;
            boolean known = Arrays.stream(kernelTypes).anyMatch(k -> k == type);
            boolean decodes;
            try {
                Imm.type(KernelLayouts.toImm(t, 0));
                decodes = true;
            } catch (WireFormatException e) {
                decodes = false;
            }
            assertEquals(known, decodes, "type " + t);
        }
    }

    @Test
    void messageTypesAndFlagsAreTheKernels() throws Exception {
        assertEquals(KernelLayouts.RTRS_MSG_INFO_REQ, RtrsMessageType.INFO_REQ.wireValue());
        assertEquals(KernelLayouts.RTRS_MSG_INFO_RSP, RtrsMessageType.INFO_RSP.wireValue());
        assertEquals(KernelLayouts.RTRS_MSG_WRITE, RtrsMessageType.WRITE.wireValue());
        assertEquals(KernelLayouts.RTRS_MSG_READ, RtrsMessageType.READ.wireValue());
        assertEquals(KernelLayouts.RTRS_MSG_RKEY_RSP, RtrsMessageType.RKEY_RSP.wireValue());
        assertEquals(KernelLayouts.RTRS_MSG_NEED_INVAL_F, RtrsProtocol.FLAG_NEED_INVAL);
        assertEquals(KernelLayouts.RTRS_MSG_NEW_RKEY_F, RtrsProtocol.FLAG_NEW_RKEY);
        assertEquals(KernelLayouts.RTRS_MAGIC, RtrsProtocol.MAGIC);
        assertEquals(KernelLayouts.RTRS_PROTO_VER, RtrsProtocol.VERSION);
        assertEquals(KernelLayouts.CONN_PRIVATE_DATA_SIZE, ConReq.SIZE);
        assertEquals(KernelLayouts.CONN_PRIVATE_DATA_SIZE, ConRsp.SIZE);
        assertEquals(KernelLayouts.INFO_REQ_SIZE, InfoReq.SIZE);
        assertEquals(KernelLayouts.RKEY_RSP_SIZE, RkeyRsp.SIZE);
        assertEquals(KernelLayouts.RDMA_WRITE_SIZE, WriteMsg.SIZE);
        assertEquals(KernelLayouts.SG_DESC_SIZE, SgDesc.SIZE);
        assertEquals(KernelLayouts.INFO_RSP_HEADER_SIZE + 3 * KernelLayouts.SG_DESC_SIZE, InfoRsp.size(3));
        assertEquals(KernelLayouts.RDMA_READ_HEADER_SIZE + KernelLayouts.SG_DESC_SIZE, ReadMsg.size(1));
    }

    @Test
    void memBitsOfQueueDepthOne() {
        assertEquals(KernelLayouts.chunkBits(1), Imm.chunkBits(1));
        assertEquals(KernelLayouts.memBits(1), Imm.memBits(1));
    }

    @Test
    void queueDepthOneStillAgreesForEveryRealChunkOffset() throws Exception {
        // the consequence of the difference above is nil in practice: offsets stay far below 2^27
        for (int offset : new int[] {0, 4, 128 << 10, (1 << 27) - 1}) {
            int kernel = KernelLayouts.ioReqImm(0, 1, offset);
            assertEquals(kernel, Imm.ioRequest(0, offset, Imm.memBits(1)));
            int payload = Imm.payload(kernel);
            assertEquals(0, Imm.bufId(payload, Imm.memBits(1)));
            assertEquals(offset, Imm.offset(payload, Imm.memBits(1)));
        }
    }
}
