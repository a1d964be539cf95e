package dev.rtrs.transport.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.transport.Direction;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.transport.core.internal.wire.KernelLayouts;
import dev.rtrs.transport.core.internal.wire.KernelLayouts.Desc;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WorkCompletion;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Plays the kernel client's byte sequence ({@code rtrs-clt.c}) against this project's server, with every byte
 * written from the kernel's structs ({@link KernelLayouts}) and every answer read by the kernel client's rules:
 * a path of two connections (the kernel's {@code cid_num} for one CPU: the service connection and one IO
 * connection), INFO_REQ/INFO_RSP, a WRITE laid out from the chunk's start and a READ whose user header and
 * message sit at {@code data_len}, a heartbeat, and a WRITE through the chunk key the RKEY_RSP handed out.
 */
@Timeout(60)
class KernelClientSequenceTest {

    private static final int QUEUE_DEPTH = 8;
    private static final int CHUNK = 16384;

    private final TcpVerbsProvider provider = new TcpVerbsProvider();
    private final RtrsTransport transport = new RtrsTransport().addProvider(provider);
    private final List<RawClient> clients = new ArrayList<>();
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();

    /** What the server's request handler got. */
    private record Seen(Direction direction, byte[] header, byte[] data) {}

    @AfterEach
    void stop() {
        clients.forEach(RawClient::close);
        transport.close();
        provider.close();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static byte[] pattern(int length, int seed) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (i * 31 + seed);
        }
        return out;
    }

    /** Stores what a WRITE brings; fills a READ's data with {@code pattern(length, 7)}. */
    private void handle(ServerRequest r) {
        byte[] header = bytes(r.userHeader());
        if (r.direction() == Direction.READ) {
            ByteBuffer data = r.data();
            data.duplicate().put(pattern(data.remaining(), 7));
            seen.add(new Seen(Direction.READ, header, new byte[data.remaining()]));
        } else {
            seen.add(new Seen(Direction.WRITE, header, bytes(r.data())));
        }
        r.respond(0);
    }

    private Seen nextSeen() throws InterruptedException {
        Seen s = seen.poll(10, TimeUnit.SECONDS);
        assertNotNull(s, "the server's handler got no request within 10 s");
        return s;
    }

    private RawClient connect(InetSocketAddress server, byte[] conReq, byte[] expectedConRsp) throws Exception {
        RawClient c = new RawClient(provider);
        clients.add(c);
        CmEvent e = c.connect(server, conReq);
        assertEquals(CmEventType.ESTABLISHED, e.type(), "accepted: " + e);
        byte[] rsp = e.privateData();
        assertTrue(rsp.length >= KernelLayouts.CONN_PRIVATE_DATA_SIZE, "CON_RSP of " + rsp.length + " bytes");
        assertArrayEquals(expectedConRsp, Arrays.copyOf(rsp, KernelLayouts.CONN_PRIVATE_DATA_SIZE), "CON_RSP");
        return c;
    }

    /** The chunk addresses and keys, as {@code process_info_rsp} derives them; fails where it would. */
    private static Desc[] processInfoRsp(WorkCompletion wc, byte[] msg, int queueDepth, int chunkSize) {
        // rtrs_clt_info_rsp_done
        assertEquals(WcOpcode.RECV, wc.opcode());
        assertTrue(wc.byteLength() >= KernelLayouts.INFO_RSP_HEADER_SIZE, "INFO_RSP size " + wc.byteLength());
        assertEquals(KernelLayouts.RTRS_MSG_INFO_RSP, KernelLayouts.le16(msg, 0), "type");
        int sgCnt = KernelLayouts.le16(msg, 2);
        assertTrue(
                wc.byteLength() >= KernelLayouts.INFO_RSP_HEADER_SIZE + sgCnt * KernelLayouts.SG_DESC_SIZE,
                "INFO_RSP of " + wc.byteLength() + " bytes for " + sgCnt + " descriptors");
        assertEquals(0, KernelLayouts.le32(msg, 4), "reserved[4]");
        // process_info_rsp
        assertTrue(sgCnt != 0 && queueDepth % sgCnt == 0, "sg_cnt " + sgCnt + " not a divisor of the queue depth");
        assertTrue(
                KernelLayouts.ilog2(sgCnt - 1) + 1 + KernelLayouts.ilog2(chunkSize - 1) + 1
                        <= KernelLayouts.MAX_IMM_PAYL_BITS,
                "immediate too small for the chunks");
        Desc[] rbufs = new Desc[queueDepth];
        long total = 0;
        int i = 0;
        int sgi = 0;
        for (; sgi < sgCnt && i < queueDepth; sgi++) {
            Desc d = KernelLayouts.desc(msg, KernelLayouts.INFO_RSP_HEADER_SIZE + sgi * KernelLayouts.SG_DESC_SIZE);
            long len = Integer.toUnsignedLong(d.len());
            total += len;
            assertTrue(len != 0 && len % chunkSize == 0, "desc[" + sgi + "].len " + len);
            long addr = d.addr();
            for (; len != 0 && i < queueDepth; i++) {
                rbufs[i] = new Desc(addr, d.key(), chunkSize);
                len -= chunkSize;
                addr += chunkSize;
            }
        }
        assertEquals(sgCnt, sgi, "sg vector not fully mapped");
        assertEquals(queueDepth, i, "sg vector not fully mapped");
        assertEquals((long) chunkSize * queueDepth, total, "total_len");
        return rbufs;
    }

    /** The response of an IO as the kernel client's rtrs_clt_rdma_done (and rkey_rsp_done) takes it. */
    private static int ioResponse(RawClient c, WorkCompletion wc, int bufId, boolean wInval, boolean newRkey) {
        assertTrue(wc.isSuccess(), wc.toString());
        assertTrue(wc.hasImmediate(), "the response carries an immediate: " + wc);
        int imm = wc.immediateData();
        assertEquals(KernelLayouts.ioRspImm(bufId, 0, wInval), imm, "IO_RSP immediate");
        int payload = KernelLayouts.immPayload(imm);
        assertEquals(bufId, KernelLayouts.ioRspMsgId(payload), "msg_id");
        assertEquals(0, KernelLayouts.ioRspErrno(payload), "errno");
        if (!newRkey) {
            // without RTRS_MSG_NEW_RKEY_F the kernel client posts empty receives: an RDMA write with immediate
            assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, wc.opcode());
            return 0;
        }
        // with it, a SEND_WITH_IMM into a receive buffer: rtrs_clt_rkey_rsp_done
        assertEquals(WcOpcode.RECV, wc.opcode());
        assertTrue(wc.byteLength() >= KernelLayouts.RKEY_RSP_SIZE, "rkey response size " + wc.byteLength());
        byte[] msg = bytes(c.slot(wc));
        assertEquals(KernelLayouts.RTRS_MSG_RKEY_RSP, KernelLayouts.le16(msg, 0), "type");
        assertEquals(bufId, KernelLayouts.le16(msg, 2), "buf_id == msg_id");
        int rkey = KernelLayouts.le32(msg, 4);
        assertArrayEquals(KernelLayouts.rkeyRsp(bufId, rkey), Arrays.copyOf(msg, KernelLayouts.RKEY_RSP_SIZE));
        return rkey;
    }

    /** rtrs_clt_write_req: data, user message and WRITE message RDMA-written from the chunk's start. */
    private static void kernelWrite(RawClient c, Desc chunk, int bufId, byte[] data, byte[] usr) throws Exception {
        byte[] tx = KernelLayouts.clientWriteChunk(data, usr);
        c.memory.buffer().put(0, tx);
        c.write(
                chunk.addr(),
                chunk.key(),
                tx.length,
                KernelLayouts.ioReqImm(bufId, QUEUE_DEPTH, data.length + usr.length));
    }

    @ParameterizedTest(name = "always_invalidate={0}")
    @ValueSource(booleans = {false, true})
    void theKernelClientsSequence(boolean alwaysInvalidate) throws Exception {
        ServerEndpointImpl server = (ServerEndpointImpl) transport.listen(
                ServerOptions.defaults(InetAddress.getByName("127.0.0.1"))
                        .withPort(0)
                        .withQueueDepth(QUEUE_DEPTH)
                        .withChunkSize(CHUNK)
                        .withAlwaysInvalidate(alwaysInvalidate),
                this::handle,
                null);
        InetSocketAddress address = server.localAddresses().get(0);
        UUID path = UUID.randomUUID();
        UUID session = UUID.randomUUID();
        byte[] conRsp = KernelLayouts.conRspAccept(QUEUE_DEPTH, CHUNK, alwaysInvalidate);

        // init_conns: recon_cnt is 1 on the first attempt; the first path sets first_conn on every connection
        RawClient service = connect(address, KernelLayouts.conReq(0, 2, 1, path, session, true), conRsp);
        RawClient io = connect(address, KernelLayouts.conReq(1, 2, 1, path, session, true), conRsp);

        // rtrs_send_sess_info on the service connection
        byte[] infoReq = KernelLayouts.infoReq("kernel-seq");
        service.memory.buffer().put(0, infoReq);
        service.qp.postSend(new SendWorkRequest(1).reset(1, SendOpcode.SEND).addSge(service.memory, 0, infoReq.length));
        WorkCompletion info = service.receive();
        assertTrue(info.isSuccess(), info.toString());
        assertFalse(info.hasImmediate(), "INFO_RSP is a plain SEND");
        Desc[] rbufs = processInfoRsp(info, bytes(service.slot(info)), QUEUE_DEPTH, CHUNK);

        // a WRITE into the last chunk: its buf_id fills the immediate's top bits
        int writeChunk = QUEUE_DEPTH - 1;
        byte[] data = pattern(3000, 1);
        byte[] usr = pattern(40, 2);
        kernelWrite(io, rbufs[writeChunk], writeChunk, data, usr);
        int rkey = ioResponse(io, io.receive(), writeChunk, false, alwaysInvalidate);
        Seen write = nextSeen();
        assertEquals(Direction.WRITE, write.direction());
        assertArrayEquals(usr, write.header(), "user header at [data_len, off)");
        assertArrayEquals(data, write.data(), "data at [0, off - usr_len)");
        if (alwaysInvalidate) {
            assertNotEquals(rbufs[writeChunk].key(), rkey, "always_invalidate hands out a fresh rkey");
            // rtrs_clt_rkey_rsp_done: sess->rbufs[buf_id].rkey = le32_to_cpu(msg->rkey)
            rbufs[writeChunk] = new Desc(rbufs[writeChunk].addr(), rkey, CHUNK);
        }

        // a READ as rtrs_clt_read_req lays it out: user header and READ message at data_len, one fast-registered
        // buffer with RTRS_MSG_NEED_INVAL_F
        int readChunk = 1;
        int dataLen = 2048;
        byte[] readUsr = pattern(40, 3);
        MemoryRegion target =
                io.pd.register(ByteBuffer.allocateDirect(dataLen), Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        try {
            Desc buffer = new Desc(target.address(), target.rkey(), dataLen);
            byte[] tx = KernelLayouts.clientReadRequest(readUsr, KernelLayouts.RTRS_MSG_NEED_INVAL_F, buffer);
            io.memory.buffer().put(0, tx);
            io.write(
                    rbufs[readChunk].addr() + dataLen,
                    rbufs[readChunk].key(),
                    tx.length,
                    KernelLayouts.ioReqImm(readChunk, QUEUE_DEPTH, dataLen + readUsr.length));
            // rdma_write_sg: the data, then SEND_WITH_INV of the buffer's key, then the response with W_INV
            WorkCompletion inv = io.receive();
            assertTrue(inv.isSuccess(), inv.toString());
            assertEquals(WcOpcode.RECV, inv.opcode());
            assertTrue(inv.hasInvalidate(), "SEND_WITH_INV: " + inv);
            assertEquals(buffer.key(), inv.invalidatedRkey());
            int readKey = ioResponse(io, io.receive(), readChunk, true, alwaysInvalidate);
            byte[] arrived = new byte[dataLen];
            target.buffer().duplicate().get(arrived);
            assertArrayEquals(pattern(dataLen, 7), arrived, "the READ's data arrived before its response");
            Seen read = nextSeen();
            assertEquals(Direction.READ, read.direction());
            assertArrayEquals(readUsr, read.header(), "user header at data_len");
            assertEquals(dataLen, read.data().length, "data_len = off - usr_len");
            if (alwaysInvalidate) {
                assertNotEquals(rbufs[readChunk].key(), readKey);
            }
        } finally {
            target.close();
        }

        // a heartbeat on the service connection: hb_work's empty RDMA write with immediate, answered in kind
        service.qp.postSend(
                new SendWorkRequest(0).reset(3, SendOpcode.RDMA_WRITE_WITH_IMM).immediate(KernelLayouts.hbMsgImm()));
        WorkCompletion ack = service.receive();
        assertTrue(ack.isSuccess(), ack.toString());
        assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, ack.opcode());
        assertEquals(KernelLayouts.hbAckImm(), ack.immediateData());

        // the chunk again, through the key the kernel client keeps for it
        byte[] again = pattern(500, 9);
        kernelWrite(io, rbufs[writeChunk], writeChunk, again, usr);
        ioResponse(io, io.receive(), writeChunk, false, alwaysInvalidate);
        Seen second = nextSeen();
        assertArrayEquals(again, second.data());
        assertArrayEquals(usr, second.header());
    }
}
