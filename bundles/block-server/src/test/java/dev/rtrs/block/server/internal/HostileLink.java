package dev.rtrs.block.server.internal;

import dev.rtrs.transport.core.internal.wire.ConRsp;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.ImmType;
import dev.rtrs.transport.core.internal.wire.InfoRsp;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.SgDesc;
import dev.rtrs.transport.core.internal.wire.WireFormatException;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WorkCompletion;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;

/**
 * One connection of a {@link HostileRtrs} client: a queue pair polled by the thread that drives it (no listener),
 * heartbeats answered, IO responses handed to the caller with their errno, chunk keys renewed from RKEY_RSP. Any
 * error completion or connection-manager event after ESTABLISHED marks the link broken: the server closed it.
 */
final class HostileLink implements AutoCloseable {

    static final int SEND_DEPTH = 128;
    static final int RECEIVE_DEPTH = 64;

    private final HostileRtrs client;
    final CmId id;
    private final BlockingQueue<CmEvent> events = new LinkedBlockingQueue<>();
    private final WorkCompletion[] polled = new WorkCompletion[32];
    private final ReceiveWorkRequest receive = new ReceiveWorkRequest(1);
    private final SendWorkRequest send = new SendWorkRequest(1);
    private CompletionQueue cq;
    private QueuePair qp;
    private int sendsOut;
    /** What the connect came to: ESTABLISHED, REJECTED, UNREACHABLE... or null while connecting. */
    CmEventType outcome;
    /** CON_RSP of an accept or a reject (null when none came or it did not decode). */
    ConRsp conRsp;

    private volatile String broken;
    private byte[] lastPrivateData;
    private InfoRsp info;
    long[] chunkAddress = new long[0];
    int[] chunkKey = new int[0];
    int chunkLength;
    int memBits;

    HostileLink(HostileRtrs client) throws VerbsException {
        this.client = client;
        this.id = client.provider.createCmId(events::add);
        for (int i = 0; i < polled.length; i++) {
            polled[i] = new WorkCompletion();
        }
    }

    /** Resolves, sets the queue pair up, connects with {@code privateData}; returns the outcome (null: no answer). */
    CmEventType connect(byte[] privateData, int timeoutMs) throws Exception {
        id.resolveAddress(null, client.server, timeoutMs);
        if (next(timeoutMs) != CmEventType.ADDR_RESOLVED) {
            return outcome;
        }
        id.resolveRoute(timeoutMs);
        if (next(timeoutMs) != CmEventType.ROUTE_RESOLVED) {
            return outcome;
        }
        cq = id.device().createCompletionQueue(SEND_DEPTH + RECEIVE_DEPTH, null);
        qp = id.createQueuePair(client.pd, new QueuePairAttributes(cq, cq, SEND_DEPTH, RECEIVE_DEPTH, 1, 1));
        for (int i = 0; i < RECEIVE_DEPTH; i++) {
            postReceive(i);
        }
        id.connect(privateData, timeoutMs);
        CmEventType t = next(timeoutMs);
        if (t == CmEventType.ESTABLISHED || t == CmEventType.REJECTED) {
            byte[] pd = lastPrivateData;
            try {
                conRsp = pd == null ? null : RtrsCodec.decodeConRsp(pd);
            } catch (WireFormatException e) {
                conRsp = null;
            }
            if (conRsp != null && t == CmEventType.ESTABLISHED) {
                memBits = Imm.memBits(Math.max(1, conRsp.queueDepth()));
            }
        }
        return t;
    }

    private CmEventType next(int timeoutMs) throws InterruptedException {
        CmEvent e = events.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (e == null) {
            outcome = null;
            return null;
        }
        lastPrivateData = e.privateData();
        outcome = e.type();
        return e.type();
    }

    private void postReceive(int slot) throws VerbsException {
        qp.postReceive(
                receive.reset(slot).addSge(client.receive, slot * HostileRtrs.RECEIVE_SLOT, HostileRtrs.RECEIVE_SLOT));
    }

    boolean isBroken() {
        if (broken == null) {
            CmEvent e = events.poll();
            if (e != null) {
                broken = "connection event " + e.type();
            }
        }
        return broken != null;
    }

    /** Sends posted and not completed yet. */
    int sendsOut() {
        return sendsOut;
    }

    String brokenWhy() {
        return broken;
    }

    // ---- sending ----

    /** SENDs {@code bytes} as they are (INFO_REQ, or anything posing as one). */
    boolean sendRaw(byte[] bytes) {
        ByteBuffer out = client.out.buffer();
        out.put(0, bytes);
        return post(send.reset(1, SendOpcode.SEND).addSge(client.out, 0, bytes.length));
    }

    /** Waits for INFO_RSP; on success the chunks are known. Null when the link broke or nothing came. */
    InfoRsp awaitInfo(int timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (info == null && !isBroken() && System.nanoTime() < deadline) {
            if (pollOnce(null) == 0) {
                Thread.onSpinWait();
                Thread.yield();
            }
        }
        if (info != null) {
            List<SgDesc> chunks = info.chunks();
            chunkAddress = new long[chunks.size()];
            chunkKey = new int[chunks.size()];
            for (int i = 0; i < chunks.size(); i++) {
                chunkAddress[i] = chunks.get(i).address();
                chunkKey[i] = chunks.get(i).key();
            }
            chunkLength = chunks.isEmpty() ? 0 : chunks.get(0).length();
        }
        return info;
    }

    /**
     * RDMA-writes {@code image} into chunk {@code chunk} at {@code chunkOffset} with immediate {@code imm}; the image
     * is staged in the client's slot for that chunk.
     */
    boolean writeIo(int chunk, int chunkOffset, byte[] image, int imm) {
        int base = client.slotBase(chunk);
        client.out.buffer().put(base + chunkOffset, image);
        return post(send.reset(2, SendOpcode.RDMA_WRITE_WITH_IMM)
                .addSge(client.out, base + chunkOffset, image.length)
                .remote(chunkAddress[chunk] + chunkOffset, chunkKey[chunk])
                .immediate(imm));
    }

    /** Any RDMA write (with immediate when {@code imm} is not null) from the client's memory, wherever it points. */
    boolean writeRaw(int localOffset, int length, long remote, int rkey, Integer imm) {
        send.reset(3, imm == null ? SendOpcode.RDMA_WRITE : SendOpcode.RDMA_WRITE_WITH_IMM)
                .addSge(client.out, localOffset, length)
                .remote(remote, rkey);
        if (imm != null) {
            send.immediate(imm);
        }
        return post(send);
    }

    /** An immediate alone (a zero-length RDMA write with immediate), as heartbeats travel. */
    boolean immediateOnly(int imm) {
        return post(send.reset(4, SendOpcode.RDMA_WRITE_WITH_IMM).immediate(imm));
    }

    private boolean post(SendWorkRequest wr) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sendsOut >= SEND_DEPTH - 2 && !isBroken() && System.nanoTime() < deadline) {
            pollOnce(null);
        }
        if (isBroken() || sendsOut >= SEND_DEPTH - 2) {
            return false;
        }
        try {
            qp.postSend(wr);
            sendsOut++;
            return true;
        } catch (VerbsException e) {
            broken = "post failed: " + e.getMessage();
            return false;
        }
    }

    // ---- completions ----

    /**
     * Polls one batch; each IO response goes to {@code responses} as (chunk, errno). Returns how many completions
     * were handled.
     */
    int pollOnce(IntBinaryOperator responses) {
        if (cq == null) {
            return 0;
        }
        int n;
        try {
            n = cq.poll(polled);
        } catch (VerbsException e) {
            broken = "completion queue: " + e.getMessage();
            return 0;
        }
        for (int i = 0; i < n; i++) {
            handle(polled[i], responses);
        }
        return n;
    }

    private void handle(WorkCompletion wc, IntBinaryOperator responses) {
        boolean isReceive = wc.opcode() == WcOpcode.RECV || wc.opcode() == WcOpcode.RECV_RDMA_WITH_IMM;
        if (!isReceive) {
            sendsOut--;
        }
        if (!wc.isSuccess()) {
            if (broken == null) {
                broken = wc.opcode() + " " + wc.status();
            }
            return;
        }
        if (!isReceive) {
            return;
        }
        int slot = (int) wc.wrId();
        ByteBuffer data = client.receive.buffer().duplicate();
        data.limit(slot * HostileRtrs.RECEIVE_SLOT + wc.byteLength()).position(slot * HostileRtrs.RECEIVE_SLOT);
        data = data.slice();
        if (wc.hasInvalidate()) {
            client.renewTarget(wc.invalidatedRkey());
        }
        if (!wc.hasImmediate()) {
            if (info == null && wc.byteLength() > 0) {
                try {
                    info = RtrsCodec.decodeInfoRsp(data, 0, data.remaining());
                } catch (WireFormatException e) {
                    broken = "bad INFO_RSP: " + e.getMessage();
                }
            }
        } else {
            onImmediate(wc.immediateData(), data, responses);
        }
        try {
            postReceive(slot);
        } catch (VerbsException e) {
            broken = "receive post failed: " + e.getMessage();
        }
    }

    private void onImmediate(int imm, ByteBuffer data, IntBinaryOperator responses) {
        ImmType type;
        try {
            type = Imm.type(imm);
        } catch (WireFormatException e) {
            broken = "server sent immediate 0x" + Integer.toHexString(imm);
            return;
        }
        switch (type) {
            case HB_MSG -> immediateOnly(Imm.encode(ImmType.HB_ACK, 0));
            case IO_RSP, IO_RSP_W_INV -> {
                int payload = Imm.payload(imm);
                int bufId = Imm.responseMsgId(payload);
                if (data.remaining() >= 8 && bufId < chunkKey.length) {
                    try {
                        chunkKey[bufId] = RtrsCodec.decodeRkeyRsp(data, 0, data.remaining())
                                .rkey();
                    } catch (WireFormatException e) {
                        broken = "bad RKEY_RSP: " + e.getMessage();
                    }
                }
                if (responses != null) {
                    responses.applyAsInt(bufId, Imm.responseErrno(payload));
                }
            }
            default -> {
                // HB_ACK or another harmless immediate
            }
        }
    }

    @Override
    public void close() {
        id.disconnect();
        if (qp != null) {
            qp.close();
        }
        id.close();
        if (cq != null) {
            cq.close();
        }
    }
}
