package dev.rtrs.transport.core.internal.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.transport.core.internal.wire.KernelLayouts;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel server's answers ({@link KernelServerDouble}, bytes from {@link KernelLayouts}) against this
 * project's client: the connects and INFO_REQ the client sends are the kernel's bytes, it takes the kernel's
 * CON_RSP and an INFO_RSP of one descriptor per memory region (queue depth 8 as two regions of four chunks, or one
 * per chunk with always_invalidate), and its WRITE and READ, served by the kernel's rules, complete with the right
 * data.
 */
@Timeout(60)
class KernelServerDoubleTest {

    private static final int QUEUE_DEPTH = 8;
    private static final int CHUNK = 16384;
    private static final String NAME = "kernel-double";

    private final TcpVerbsProvider provider = new TcpVerbsProvider();
    private final RtrsTransport transport = new RtrsTransport().addProvider(provider);
    private KernelServerDouble server;
    private ClientSession session;

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
        if (server != null) {
            server.close();
        }
        transport.close();
        provider.close();
    }

    private static byte[] pattern(int length, int seed) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (i * 17 + seed);
        }
        return out;
    }

    /** Opens a session of one path with two connections against the double, answering its INFO_REQ. */
    private void open(boolean alwaysInvalidate) throws Exception {
        open(alwaysInvalidate, QUEUE_DEPTH, CHUNK);
    }

    private void open(boolean alwaysInvalidate, int queueDepth, int chunk) throws Exception {
        server = new KernelServerDouble(provider, queueDepth, chunk, alwaysInvalidate, 4);
        int port = server.listen();
        CompletableFuture<ClientSession> opened = CompletableFuture.supplyAsync(() -> {
            try {
                return transport.open(
                        ClientSessionOptions.builder(NAME)
                                .paths(PathAddress.parse("127.0.0.1", port))
                                .connectionsPerPath(2)
                                .maxReconnectAttempts(0)
                                .connectTimeout(Duration.ofSeconds(10))
                                .build(),
                        null);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        // rtrs_srv_info_req_done: on the service connection, at least sizeof(struct rtrs_msg_info_req)
        WorkCompletion infoReq = server.nextReceive();
        assertEquals(WcOpcode.RECV, infoReq.opcode());
        assertEquals(0, server.cid(infoReq), "INFO_REQ on connection 0");
        assertTrue(infoReq.byteLength() >= KernelLayouts.INFO_REQ_SIZE, "INFO_REQ of " + infoReq.byteLength());
        assertArrayEquals(
                KernelLayouts.infoReq(NAME),
                Arrays.copyOf(server.received(infoReq), KernelLayouts.INFO_REQ_SIZE),
                "INFO_REQ");
        server.sendInfoRsp(infoReq);
        session = opened.get(20, TimeUnit.SECONDS);
    }

    @Test
    void aQueueDepthAboveTheClientsPermitsIsTakenFromAnInfoRspOfADescriptorPerChunk() throws Exception {
        // 4096 chunks, one descriptor each: an INFO_RSP of 64 KiB, beyond a buffer sized for 1024 descriptors
        open(true, 4096, 8192);
        assertEquals(1024, session.queueDepth(), "the client uses at most 1024 permits of the 4096 chunks");
    }

    /** Submits an IO and returns its completion errno future. */
    private CompletableFuture<Integer> submit(Direction dir, byte[] usr, ByteBuffer data) throws Exception {
        Permit p = session.acquirePermit(5, TimeUnit.SECONDS);
        CompletableFuture<Integer> done = new CompletableFuture<>();
        session.submit(p, dir, ByteBuffer.wrap(usr), new ByteBuffer[] {data}, errno -> {
            session.releasePermit(p);
            done.complete(errno);
        });
        return done;
    }

    @ParameterizedTest(name = "always_invalidate={0}")
    @ValueSource(booleans = {false, true})
    void theClientCompletesItsIoWithTheKernelServersAnswers(boolean alwaysInvalidate) throws Exception {
        open(alwaysInvalidate);

        // the connect requests were the kernel's bytes, for the fields the kernel client sets
        assertEquals(2, server.conReqs.size());
        UUID pathUuid = KernelLayouts.uuidAt(server.conReqs.get(0), 12);
        for (int cid = 0; cid < 2; cid++) {
            byte[] req = server.conReqs.get(cid);
            int reconCnt = KernelLayouts.le16(req, 10);
            assertArrayEquals(
                    KernelLayouts.conReq(cid, 2, reconCnt, pathUuid, session.uuid(), true),
                    Arrays.copyOf(req, KernelLayouts.CONN_PRIVATE_DATA_SIZE),
                    "CON_REQ of connection " + cid);
        }

        // WRITE: the double reads data at [0, off - usr_len) and the user message before the message at off
        byte[] usr = pattern(32, 1);
        byte[] data = pattern(5000, 2);
        CompletableFuture<Integer> write = submit(Direction.WRITE, usr, ByteBuffer.wrap(data));
        WorkCompletion wc = server.nextReceive();
        KernelServerDouble.Io io = server.takeIo(wc);
        assertEquals(1, io.cid(), "IO on an IO connection, not the service connection");
        assertEquals(KernelLayouts.RTRS_MSG_WRITE, io.type());
        assertEquals(data.length + usr.length, io.off(), "immediate offset = data_len + usr_len");
        assertArrayEquals(usr, io.usr());
        assertArrayEquals(data, io.data());
        int oldKey = server.rkey(io.msgId());
        server.respond(wc, io, null);
        assertEquals(0, write.get(10, TimeUnit.SECONDS));
        if (alwaysInvalidate) {
            assertNotEquals(oldKey, server.rkey(io.msgId()), "the chunk's key was renewed");
        }

        // READ: the client must put user message and READ message at data_len and nothing before it
        for (int i = 0; i < QUEUE_DEPTH; i++) {
            server.fillChunk(i, (byte) 0x5A);
        }
        byte[] readUsr = pattern(24, 3);
        ByteBuffer into = ByteBuffer.allocate(3072);
        CompletableFuture<Integer> read = submit(Direction.READ, readUsr, into);
        wc = server.nextReceive();
        io = server.takeIo(wc);
        assertEquals(KernelLayouts.RTRS_MSG_READ, io.type());
        int dataLen = io.off() - io.usrLen();
        assertEquals(3072, dataLen, "data_len = off - usr_len");
        assertArrayEquals(readUsr, io.usr(), "user message at data_len");
        byte[] untouched = new byte[dataLen];
        Arrays.fill(untouched, (byte) 0x5A);
        assertArrayEquals(untouched, server.chunk(io.msgId(), 0, dataLen), "nothing written before data_len");
        assertNotNull(io.desc(), "a READ with data names one buffer");
        assertEquals(dataLen, io.desc().len(), "the buffer holds data_len bytes (rnbd-srv wants bi_size)");
        byte[] answer = pattern(dataLen, 4);
        server.respond(wc, io, answer);
        assertEquals(0, read.get(10, TimeUnit.SECONDS));
        assertArrayEquals(answer, into.array(), "the READ's data");

        // more WRITEs, reusing chunks: with always_invalidate, through the keys the RKEY_RSPs handed out
        for (int i = 0; i < QUEUE_DEPTH; i++) {
            byte[] more = pattern(100 + i, 5 + i);
            CompletableFuture<Integer> again = submit(Direction.WRITE, usr, ByteBuffer.wrap(more));
            wc = server.nextReceive();
            io = server.takeIo(wc);
            assertArrayEquals(more, io.data());
            server.respond(wc, io, null);
            assertEquals(0, again.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aReadWithoutDataNamesNoBuffer() throws Exception {
        open(false);
        byte[] usr = pattern(36, 6);
        CompletableFuture<Integer> read = submit(Direction.READ, usr, ByteBuffer.allocate(0));
        WorkCompletion wc = server.nextReceive();
        KernelServerDouble.Io io = server.takeIo(wc);
        // rtrs_clt_read_req without a scatter list: sg_cnt 0, flags 0, the message right after the user message
        assertEquals(KernelLayouts.RTRS_MSG_READ, io.type());
        assertEquals(usr.length, io.off());
        assertEquals(0, io.flags());
        assertNull(io.desc());
        server.respond(wc, io, null);
        assertEquals(0, read.get(10, TimeUnit.SECONDS));
    }

    // rtrs_clt_read_req fast-registers the READ's buffer for each IO and sets RTRS_MSG_NEED_INVAL_F with sg_cnt 1,
    // so the server fences it with SEND_WITH_INV
    @ParameterizedTest(name = "always_invalidate={0}")
    @ValueSource(booleans = {false, true})
    void aReadAsksForInvalidationOfItsBufferAsTheKernelClient(boolean alwaysInvalidate) throws Exception {
        open(alwaysInvalidate);
        int previousKey = 0;
        for (int round = 0; round < QUEUE_DEPTH + 2; round++) {
            CompletableFuture<Integer> read = submit(Direction.READ, pattern(24, 7), ByteBuffer.allocate(512));
            WorkCompletion wc = server.nextReceive();
            KernelServerDouble.Io io = server.takeIo(wc);
            try {
                assertEquals(KernelLayouts.RTRS_MSG_NEED_INVAL_F, io.flags());
                assertNotNull(io.desc(), "one descriptor");
                assertEquals(512, io.desc().len());
                assertNotEquals(previousKey, io.desc().key(), "a fresh key for each READ");
                previousKey = io.desc().key();
            } finally {
                server.respond(wc, io, pattern(512, round));
                assertEquals(0, read.get(10, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * A server that writes into a READ's buffer after its response, through the key the READ named, gets a remote
     * access error, and the client's memory stays as the response left it: whether the server invalidated the key
     * (SEND_WITH_INV, IO_RSP_W_INV) or the client did (LOCAL_INV after a plain IO_RSP).
     */
    @ParameterizedTest(name = "server invalidates={0}")
    @ValueSource(booleans = {true, false})
    void aLateWriteIntoAReadsBufferFailsAndChangesNothing(boolean serverInvalidates) throws Exception {
        open(false);
        ByteBuffer into = ByteBuffer.allocate(4096);
        CompletableFuture<Integer> read = submit(Direction.READ, pattern(24, 8), into);
        WorkCompletion wc = server.nextReceive();
        KernelServerDouble.Io io = server.takeIo(wc);
        assertEquals(KernelLayouts.RTRS_MSG_NEED_INVAL_F, io.flags());
        byte[] answer = pattern(4096, 9);
        // without invalidation the double answers a plain IO_RSP: the client must invalidate the key itself
        KernelServerDouble.Io served = serverInvalidates ? io : withFlags(io, 0);
        server.respond(wc, served, answer);
        assertEquals(0, read.get(10, TimeUnit.SECONDS));
        assertArrayEquals(answer, into.array());

        ByteBuffer permitMemory = ((ClientSessionImpl) session).permitsOrNull().memory();
        byte[] before = new byte[permitMemory.capacity()];
        permitMemory.duplicate().clear().get(before);
        WorkCompletion late = server.writeInto(wc, io.desc(), pattern(1024, 10));
        assertEquals(WcStatus.REMOTE_ACCESS_ERROR, late.status(), "the late write " + late);
        byte[] after = new byte[permitMemory.capacity()];
        permitMemory.duplicate().clear().get(after);
        assertArrayEquals(before, after, "the client's permit memory is unchanged");
        assertArrayEquals(answer, into.array(), "the READ's data is unchanged");
    }

    /** A READ that fails over names the region its new path registered, with that path's fresh key. */
    @Test
    void aReadMovedToAnotherPathNamesThatPathsRegion() throws Exception {
        KernelServerDouble first = new KernelServerDouble(provider, QUEUE_DEPTH, CHUNK, false, 4);
        server = new KernelServerDouble(provider, QUEUE_DEPTH, CHUNK, false, 4);
        try {
            int firstPort = first.listen();
            int secondPort = server.listen();
            CompletableFuture<ClientSession> opened = CompletableFuture.supplyAsync(() -> {
                try {
                    return transport.open(
                            ClientSessionOptions.builder(NAME)
                                    .paths(
                                            PathAddress.parse("127.0.0.1", firstPort),
                                            PathAddress.parse("127.0.0.1", secondPort))
                                    .connectionsPerPath(2)
                                    .maxReconnectAttempts(0)
                                    .connectTimeout(Duration.ofSeconds(10))
                                    .build(),
                            null);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            first.sendInfoRsp(first.nextReceive());
            session = opened.get(20, TimeUnit.SECONDS);
            // the second path waits for its INFO_RSP: the READ can only go to the first
            WorkCompletion secondInfo = server.nextReceive();
            ByteBuffer into = ByteBuffer.allocate(2048);
            CompletableFuture<Integer> read = submit(Direction.READ, pattern(24, 11), into);
            KernelServerDouble.Io before = first.takeIo(first.nextReceive());
            assertEquals(KernelLayouts.RTRS_MSG_NEED_INVAL_F, before.flags());
            server.sendInfoRsp(secondInfo);
            Await.until(
                    () -> session.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED),
                    Duration.ofSeconds(10),
                    "both paths connected");

            first.close();
            WorkCompletion wc = server.nextReceive();
            KernelServerDouble.Io after = server.takeIo(wc);
            assertEquals(before.msgId(), after.msgId(), "the same permit");
            assertEquals(KernelLayouts.RTRS_MSG_NEED_INVAL_F, after.flags());
            assertEquals(2048, after.desc().len());
            assertNotEquals(before.desc().addr(), after.desc().addr(), "the second path's region");
            byte[] answer = pattern(2048, 12);
            server.respond(wc, after, answer);
            assertEquals(0, read.get(10, TimeUnit.SECONDS));
            assertArrayEquals(answer, into.array());
        } finally {
            first.close();
        }
    }

    private static KernelServerDouble.Io withFlags(KernelServerDouble.Io io, int flags) {
        return new KernelServerDouble.Io(
                io.cid(), io.msgId(), io.off(), io.type(), io.usrLen(), io.usr(), io.data(), flags, io.desc());
    }

    @Test
    void theFirstAttemptCarriesReconCntOneAsTheKernelClient() throws Exception {
        open(false);
        for (byte[] req : server.conReqs) {
            assertEquals(1, KernelLayouts.le16(req, 10), "recon_cnt");
        }
    }

    @Test
    void aSecondPathRecreatesTheSessionOnARestartedServerAsTheKernelClient() throws Exception {
        ServerEndpoint first = transport.listen(
                ServerOptions.builder(InetAddress.getByName("0.0.0.0")).port(0).build(), r -> r.respond(0), null);
        int port = first.localAddresses().get(0).getPort();
        session = transport.open(
                ClientSessionOptions.builder("recreate")
                        .paths(PathAddress.parse("127.0.0.1", port), PathAddress.parse("127.0.0.2", port))
                        .connectionsPerPath(1)
                        .reconnectDelay(Duration.ofMillis(100))
                        .maxReconnectAttempts(100)
                        .connectTimeout(Duration.ofSeconds(2))
                        .build(),
                null);
        Await.until(
                () -> session.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED),
                Duration.ofSeconds(10),
                "both paths got through once");
        first.close();
        // the server comes back on the second path's address only: it has no session, the first path cannot come
        transport.listen(
                ServerOptions.builder(InetAddress.getByName("127.0.0.2"))
                        .port(port)
                        .build(),
                r -> r.respond(0),
                null);
        Await.until(
                () -> session.paths().stream().anyMatch(p -> p.state() == PathState.CONNECTED),
                Duration.ofSeconds(10),
                "the second path recreates the session, carrying first_conn as the kernel client's would");
    }
}
