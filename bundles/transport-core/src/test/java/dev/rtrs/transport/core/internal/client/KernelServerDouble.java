package dev.rtrs.transport.core.internal.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.test.support.Await;
import dev.rtrs.transport.core.internal.wire.KernelLayouts;
import dev.rtrs.transport.core.internal.wire.KernelLayouts.Desc;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WorkCompletion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw-verbs stand-in for the kernel's {@code rtrs-server}: answers connects with the kernel's CON_RSP, INFO_REQ
 * with its INFO_RSP (one descriptor per memory region), and serves IO as {@code rtrs_srv_rdma_done},
 * {@code process_read}/{@code process_write}, {@code rdma_write_sg} and {@code send_io_resp_imm} do. All bytes come
 * from {@link KernelLayouts}. One protection domain and one completion queue serve every connection, as the kernel
 * shares its per-device PD; the test thread drives it by polling.
 */
final class KernelServerDouble implements AutoCloseable {

    static final int SLOTS_PER_CONNECTION = 16;
    static final int SLOT = 1024;
    private static final int ECONNRESET = 104;
    private static final int CHUNK_ACCESS = Access.LOCAL_WRITE | Access.REMOTE_WRITE;

    /** One IO as the double parsed it from the chunk. */
    record Io(int cid, int msgId, int off, int type, int usrLen, byte[] usr, byte[] data, int flags, Desc desc) {}

    private final int queueDepth;
    private final int chunkSize;
    private final boolean alwaysInvalidate;
    private final int chunksPerRegion;
    private final CmId listener;
    private final List<CmId> ids = new CopyOnWriteArrayList<>();
    private final List<QueuePair> qps = new CopyOnWriteArrayList<>();
    private final Map<QueuePair, Integer> cidOf = new ConcurrentHashMap<>();
    /** The private data of every connect request, in arrival order. */
    final List<byte[]> conReqs = new CopyOnWriteArrayList<>();

    private ProtectionDomain pd;
    private CompletionQueue cq;
    /** {@code sess->mrs}: the memory regions of the chunks. */
    private MemoryRegion[] regions;

    private MemoryRegion receive;
    private MemoryRegion tx;
    private boolean closed;

    /**
     * @param chunksPerRegion chunks per memory region without always_invalidate ({@code chunks_per_mr}); with it,
     *                        one region per chunk as {@code map_cont_bufs} does
     */
    KernelServerDouble(
            VerbsProvider provider, int queueDepth, int chunkSize, boolean alwaysInvalidate, int chunksPerRegion)
            throws VerbsException {
        this.queueDepth = queueDepth;
        this.chunkSize = chunkSize;
        this.alwaysInvalidate = alwaysInvalidate;
        this.chunksPerRegion = alwaysInvalidate ? 1 : chunksPerRegion;
        this.listener = provider.createCmId(this::onEvent);
    }

    int listen() throws Exception {
        listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        listener.listen(8);
        return listener.localAddress().getPort();
    }

    private void onEvent(CmEvent event) {
        if (event.type() != CmEventType.CONNECT_REQUEST) {
            return;
        }
        try {
            onConnectRequest(event.id(), event.privateData());
        } catch (VerbsException e) {
            throw new IllegalStateException(e);
        }
    }

    // rtrs_rdma_connect
    private synchronized void onConnectRequest(CmId id, byte[] msg) throws VerbsException {
        conReqs.add(msg);
        if (msg.length < KernelLayouts.CONN_PRIVATE_DATA_SIZE
                || KernelLayouts.le16(msg, 2) != KernelLayouts.RTRS_MAGIC
                || KernelLayouts.le16(msg, 4) >> 8 != KernelLayouts.RTRS_PROTO_VER >> 8
                || KernelLayouts.le16(msg, 6) >= KernelLayouts.le16(msg, 8)) {
            id.reject(KernelLayouts.conRsp(-ECONNRESET, 0, 0, 0, 0));
            return;
        }
        int cid = KernelLayouts.le16(msg, 6);
        if (pd == null) {
            setUp(id);
        }
        QueuePair qp = id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 64, 64, 1, 1));
        ReceiveWorkRequest rr = new ReceiveWorkRequest(1);
        for (int i = 0; i < SLOTS_PER_CONNECTION; i++) {
            int slot = cid * SLOTS_PER_CONNECTION + i;
            qp.postReceive(rr.reset(slot).addSge(receive, slot * SLOT, SLOT));
        }
        ids.add(id);
        qps.add(qp);
        cidOf.put(qp, cid);
        // rtrs_rdma_do_accept
        id.accept(KernelLayouts.conRspAccept(queueDepth, chunkSize, alwaysInvalidate));
    }

    // __alloc_sess and map_cont_bufs
    private void setUp(CmId id) throws VerbsException {
        pd = id.device().allocateProtectionDomain();
        cq = id.device().createCompletionQueue(1024, null);
        regions = new MemoryRegion[queueDepth / chunksPerRegion];
        for (int mri = 0; mri < regions.length; mri++) {
            regions[mri] = pd.register(ByteBuffer.allocateDirect(chunksPerRegion * chunkSize), CHUNK_ACCESS);
        }
        receive = pd.register(ByteBuffer.allocateDirect(8 * SLOTS_PER_CONNECTION * SLOT), Access.LOCAL_WRITE);
        tx = pd.register(ByteBuffer.allocateDirect(Math.max(4096, 8 + 16 * queueDepth)), Access.LOCAL_WRITE);
    }

    /** The INFO_RSP descriptors, {@code desc[mri]} = the region's iova, rkey and length. */
    synchronized Desc[] descriptors() {
        Desc[] out = new Desc[regions.length];
        for (int mri = 0; mri < regions.length; mri++) {
            out[mri] = new Desc(regions[mri].address(), regions[mri].rkey(), regions[mri].length());
        }
        return out;
    }

    private MemoryRegion regionOf(int msgId) {
        return regions[msgId / chunksPerRegion];
    }

    private int offsetOf(int msgId) {
        return msgId % chunksPerRegion * chunkSize;
    }

    /** A copy of chunk {@code msgId}'s bytes {@code [from, to)}. */
    byte[] chunk(int msgId, int from, int to) {
        byte[] out = new byte[to - from];
        regionOf(msgId).buffer().duplicate().position(offsetOf(msgId) + from).get(out);
        return out;
    }

    void fillChunk(int msgId, byte value) {
        ByteBuffer b = regionOf(msgId).buffer();
        for (int i = 0; i < chunkSize; i++) {
            b.put(offsetOf(msgId) + i, value);
        }
    }

    int cid(WorkCompletion wc) {
        return cidOf.get(wc.queuePair());
    }

    /** The bytes a receive completion brought. */
    byte[] received(WorkCompletion wc) {
        byte[] out = new byte[wc.byteLength()];
        receive.buffer().duplicate().position((int) wc.wrId() * SLOT).get(out);
        return out;
    }

    /** The next receive completion; send completions on the way must be successful and are skipped. */
    WorkCompletion nextReceive() throws Exception {
        WorkCompletion[] one = {new WorkCompletion()};
        while (true) {
            WorkCompletion wc = Await.value(
                    () -> cq != null && cq.poll(one) == 1 ? new WorkCompletion().copyFrom(one[0]) : null,
                    Duration.ofSeconds(10),
                    "no completion at the kernel server within 10 s");
            assertTrue(wc.isSuccess(), "kernel server completion " + wc);
            if (wc.opcode() == WcOpcode.RECV || wc.opcode() == WcOpcode.RECV_RDMA_WITH_IMM) {
                return wc;
            }
        }
    }

    /** process_info_req: the INFO_RSP as a SEND on the connection the request came on. */
    void sendInfoRsp(WorkCompletion infoReq) throws VerbsException {
        byte[] rsp = KernelLayouts.infoRsp(descriptors());
        tx.buffer().put(0, rsp);
        infoReq.queuePair()
                .postSend(new SendWorkRequest(1).reset(1, SendOpcode.SEND).addSge(tx, 0, rsp.length));
    }

    /**
     * rtrs_srv_rdma_done and process_io_req: decodes the IO_REQ immediate and the message it points at, as the
     * kernel does (WRITE: data at [0, off - usr_len), user message after it; READ: {@code data_len = off - usr_len},
     * user message at {@code data_len}), fences the chunk first with always_invalidate.
     */
    Io takeIo(WorkCompletion wc) throws VerbsException {
        assertEquals(WcOpcode.RECV_RDMA_WITH_IMM, wc.opcode(), "an IO request is an RDMA write with immediate");
        int imm = wc.immediateData();
        assertEquals(KernelLayouts.RTRS_IO_REQ_IMM, KernelLayouts.immType(imm), "IO_REQ immediate");
        int payload = KernelLayouts.immPayload(imm);
        int memBits = KernelLayouts.memBits(queueDepth);
        int msgId = KernelLayouts.srvMsgId(payload, memBits);
        int off = KernelLayouts.srvOff(payload, memBits);
        assertTrue(msgId < queueDepth && off < chunkSize, "Wrong msg_id " + msgId + ", off " + off);
        if (alwaysInvalidate) {
            // rtrs_srv_inv_rkey: the chunk's MR is invalidated before the request is looked at
            wc.queuePair()
                    .postSend(new SendWorkRequest(0)
                            .reset(2, SendOpcode.LOCAL_INV)
                            .invalidate(regionOf(msgId).rkey()));
        }
        byte[] hdr = chunk(msgId, off, off + KernelLayouts.RDMA_READ_HEADER_SIZE + KernelLayouts.SG_DESC_SIZE);
        int type = KernelLayouts.le16(hdr, 0);
        int usrLen = KernelLayouts.le16(hdr, 2);
        int dataLen = off - usrLen;
        byte[] usr = chunk(msgId, dataLen, off);
        if (type == KernelLayouts.RTRS_MSG_WRITE) {
            return new Io(cid(wc), msgId, off, type, usrLen, usr, chunk(msgId, 0, dataLen), 0, null);
        }
        assertEquals(KernelLayouts.RTRS_MSG_READ, type, "message type");
        int flags = KernelLayouts.le16(hdr, 4);
        int sgCnt = KernelLayouts.le16(hdr, 6);
        assertTrue(sgCnt == 0 || sgCnt == 1, "process_read takes sg_cnt 0 or 1, got " + sgCnt);
        Desc desc = sgCnt == 1 ? KernelLayouts.desc(hdr, KernelLayouts.RDMA_READ_HEADER_SIZE) : null;
        return new Io(cid(wc), msgId, off, type, usrLen, usr, null, flags, desc);
    }

    /**
     * rtrs_srv_resp_rdma: for a READ with data, {@code rdma_write_sg} (the chunk's first {@code desc[0].len} bytes,
     * filled with {@code data} first, to the client's buffer), else {@code send_io_resp_imm}; an IO_RSP immediate
     * either way, with invalidation when the READ asked for it.
     */
    void respond(WorkCompletion request, Io io, byte[] data) throws VerbsException {
        QueuePair qp = request.queuePair();
        boolean needInval = false;
        if (io.type() == KernelLayouts.RTRS_MSG_READ && io.desc() != null) {
            needInval = (io.flags() & KernelLayouts.RTRS_MSG_NEED_INVAL_F) != 0;
            ByteBuffer chunk = regionOf(io.msgId()).buffer();
            chunk.put(offsetOf(io.msgId()), data);
            qp.postSend(new SendWorkRequest(1)
                    .reset(3, SendOpcode.RDMA_WRITE)
                    .addSge(
                            regionOf(io.msgId()),
                            offsetOf(io.msgId()),
                            io.desc().len())
                    .remote(io.desc().addr(), io.desc().key()));
        }
        int imm = KernelLayouts.ioRspImm(io.msgId(), 0, needInval);
        if (alwaysInvalidate) {
            // ib_update_fast_reg_key + IB_WR_REG_MR of the chunk's MR, RKEY_RSP in the SEND_WITH_IMM
            MemoryRegion mr = regionOf(io.msgId());
            int rkey = mr.updateKey();
            qp.postSend(new SendWorkRequest(0).reset(4, SendOpcode.REG_MR).registration(mr, CHUNK_ACCESS));
            if (needInval) {
                qp.postSend(new SendWorkRequest(0)
                        .reset(5, SendOpcode.SEND_WITH_INV)
                        .invalidate(io.desc().key()));
            }
            int at = 1024 + io.msgId() * KernelLayouts.RKEY_RSP_SIZE;
            tx.buffer().put(at, KernelLayouts.rkeyRsp(io.msgId(), rkey));
            qp.postSend(new SendWorkRequest(1)
                    .reset(6, SendOpcode.SEND_WITH_IMM)
                    .addSge(tx, at, KernelLayouts.RKEY_RSP_SIZE)
                    .immediate(imm));
        } else {
            if (needInval) {
                qp.postSend(new SendWorkRequest(0)
                        .reset(5, SendOpcode.SEND_WITH_INV)
                        .invalidate(io.desc().key()));
            }
            qp.postSend(new SendWorkRequest(0)
                    .reset(6, SendOpcode.RDMA_WRITE_WITH_IMM)
                    .immediate(imm));
        }
    }

    /**
     * What a misbehaving server would do: RDMA-writes {@code data} (at most 2 KiB) into the client's buffer {@code desc} names, on the
     * connection of {@code request}, and returns that write's completion (successful or not); completions of earlier
     * requests on the way are skipped.
     */
    WorkCompletion writeInto(WorkCompletion request, Desc desc, byte[] data) throws Exception {
        long wrId = 77;
        tx.buffer().put(2048, data);
        request.queuePair()
                .postSend(new SendWorkRequest(1)
                        .reset(wrId, SendOpcode.RDMA_WRITE)
                        .addSge(tx, 2048, data.length)
                        .remote(desc.addr(), desc.key()));
        WorkCompletion[] one = {new WorkCompletion()};
        while (true) {
            WorkCompletion wc = Await.value(
                    () -> cq.poll(one) == 1 ? new WorkCompletion().copyFrom(one[0]) : null,
                    Duration.ofSeconds(10),
                    "no completion of the late write within 10 s");
            if (wc.wrId() == wrId && wc.queuePair() == request.queuePair()) {
                return wc;
            }
        }
    }

    /** The chunk's current rkey (after always_invalidate renewed it). */
    int rkey(int msgId) {
        return regionOf(msgId).rkey();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        for (CmId id : ids) {
            id.disconnect();
        }
        for (QueuePair qp : qps) {
            qp.close();
        }
        for (CmId id : ids) {
            id.close();
        }
        if (pd != null) {
            for (MemoryRegion mr : regions) {
                mr.close();
            }
            receive.close();
            tx.close();
            cq.close();
            pd.close();
        }
    }
}
