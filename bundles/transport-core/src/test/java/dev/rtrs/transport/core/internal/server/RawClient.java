package dev.rtrs.transport.core.internal.server;

import dev.rtrs.test.support.Await;
import dev.rtrs.transport.core.internal.wire.ConReq;
import dev.rtrs.transport.core.internal.wire.InfoReq;
import dev.rtrs.transport.core.internal.wire.InfoRsp;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.RtrsProtocol;
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
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WorkCompletion;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client that speaks RTRS by hand over raw verbs: for handshake refusals and hostile behaviour that the
 * real client never shows. Memory layout: [0, 32 KiB) outgoing data, then 16 receive slots of 1 KiB.
 */
final class RawClient implements AutoCloseable {

    static final int RECEIVE_BASE = 32 * 1024;
    static final int SLOT = 1024;

    private final BlockingQueue<CmEvent> events = new LinkedBlockingQueue<>();
    final CmId id;
    ProtectionDomain pd;
    CompletionQueue cq;
    QueuePair qp;
    MemoryRegion memory;

    RawClient(VerbsProvider provider) throws Exception {
        id = provider.createCmId(events::add);
    }

    CmEvent next() throws InterruptedException {
        CmEvent e = events.poll(10, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no connection-manager event within 10 s");
        }
        return e;
    }

    /** Resolves, sets up a queue pair with posted receives, connects; returns the answer (ESTABLISHED, REJECTED...). */
    CmEvent connect(InetSocketAddress server, byte[] privateData) throws Exception {
        return connect(null, server, privateData);
    }

    /** As {@link #connect(InetSocketAddress, byte[])}, from a given local address (null: any). */
    CmEvent connect(InetSocketAddress source, InetSocketAddress server, byte[] privateData) throws Exception {
        id.resolveAddress(source, server, 5000);
        expect(CmEventType.ADDR_RESOLVED);
        id.resolveRoute(5000);
        expect(CmEventType.ROUTE_RESOLVED);
        pd = id.device().allocateProtectionDomain();
        cq = id.device().createCompletionQueue(256, null);
        qp = id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 64, 64, 2, 1));
        memory = pd.register(
                ByteBuffer.allocateDirect(RECEIVE_BASE + 16 * SLOT), Access.LOCAL_WRITE | Access.REMOTE_WRITE);
        ReceiveWorkRequest rr = new ReceiveWorkRequest(1);
        for (int i = 0; i < 16; i++) {
            qp.postReceive(rr.reset(i).addSge(memory, RECEIVE_BASE + i * SLOT, SLOT));
        }
        id.connect(privateData, 5000);
        return next();
    }

    private void expect(CmEventType type) throws InterruptedException {
        CmEvent e = next();
        if (e.type() != type) {
            throw new AssertionError("expected " + type + ", got " + e);
        }
    }

    /** The next completion, waited for up to 10 s. */
    WorkCompletion completion() throws Exception {
        WorkCompletion[] wc = {new WorkCompletion()};
        return Await.value(() -> cq.poll(wc) == 1 ? wc[0] : null, Duration.ofSeconds(10), "no completion within 10 s");
    }

    /** The next receive completion (send completions on the way are checked for success and skipped). */
    WorkCompletion receive() throws Exception {
        while (true) {
            WorkCompletion wc = completion();
            if (wc.opcode() == WcOpcode.RECV || wc.opcode() == WcOpcode.RECV_RDMA_WITH_IMM || !wc.isSuccess()) {
                return wc;
            }
        }
    }

    ByteBuffer slot(WorkCompletion wc) {
        ByteBuffer b = memory.buffer().duplicate();
        int at = RECEIVE_BASE + (int) wc.wrId() * SLOT;
        b.limit(at + wc.byteLength()).position(at);
        return b.slice();
    }

    /** The private data of connection 0 of a new path of {@code session}, with {@code connections} in the path. */
    static byte[] conReq(UUID session, int connections) {
        return RtrsCodec.encode(new ConReq(
                RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, connections, 0, UUID.randomUUID(), session, true));
    }

    /** Sends INFO_REQ without waiting for the answer. */
    void sendInfoReq(String sessionName) throws Exception {
        int n = RtrsCodec.encode(new InfoReq(sessionName), memory.buffer(), 0);
        qp.postSend(new SendWorkRequest(1).reset(1, SendOpcode.SEND).addSge(memory, 0, n));
    }

    InfoRsp info(String sessionName) throws Exception {
        sendInfoReq(sessionName);
        WorkCompletion wc = receive();
        return RtrsCodec.decodeInfoRsp(slot(wc), 0, wc.byteLength());
    }

    /** RDMA-writes {@code length} bytes from offset 0 of this client's memory to a remote address. */
    void write(long remote, int rkey, int length, Integer imm) throws Exception {
        SendWorkRequest wr = new SendWorkRequest(1)
                .reset(2, imm == null ? SendOpcode.RDMA_WRITE : SendOpcode.RDMA_WRITE_WITH_IMM)
                .addSge(memory, 0, length)
                .remote(remote, rkey);
        if (imm != null) {
            wr.immediate(imm);
        }
        qp.postSend(wr);
    }

    @Override
    public void close() {
        id.disconnect();
        if (qp != null) {
            qp.close();
        }
        id.close();
        if (memory != null) {
            memory.close();
        }
        if (cq != null) {
            cq.close();
        }
        if (pd != null) {
            pd.close();
        }
    }
}
