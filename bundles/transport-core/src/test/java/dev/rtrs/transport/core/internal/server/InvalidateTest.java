package dev.rtrs.transport.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.RequestHandler;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerRequest;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.transport.core.internal.wire.ConRsp;
import dev.rtrs.transport.core.internal.wire.Imm;
import dev.rtrs.transport.core.internal.wire.ImmType;
import dev.rtrs.transport.core.internal.wire.InfoRsp;
import dev.rtrs.transport.core.internal.wire.ReadMsg;
import dev.rtrs.transport.core.internal.wire.RkeyRsp;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.RtrsProtocol;
import dev.rtrs.transport.core.internal.wire.SgDesc;
import dev.rtrs.transport.core.internal.wire.WriteMsg;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The correctness rules of always_invalidate and send-queue accounting, observed on a real server. */
@Timeout(60)
class InvalidateTest {

    private static final int CHUNK = 16384;

    private final TcpVerbsProvider provider = new TcpVerbsProvider();
    private final RtrsTransport transport = new RtrsTransport().addProvider(provider);

    @AfterEach
    void stop() {
        transport.close();
        provider.close();
    }

    private ServerEndpointImpl server(boolean alwaysInvalidate, int queueDepth, RequestHandler handler)
            throws Exception {
        return (ServerEndpointImpl) transport.listen(
                ServerOptions.defaults(InetAddress.getByName("127.0.0.1"))
                        .withPort(0)
                        .withQueueDepth(queueDepth)
                        .withChunkSize(CHUNK)
                        .withAlwaysInvalidate(alwaysInvalidate),
                handler,
                null);
    }

    /** A raw client with one connection that has done CON_REQ and INFO. */
    private RawClient handshake(ServerEndpointImpl server, UUID session, ConRsp[] rspOut, InfoRsp[] infoOut)
            throws Exception {
        return handshake(server, session, "127.0.0.1", rspOut, infoOut);
    }

    /** As above, for a path of {@code session} from local address {@code source}. */
    private RawClient handshake(
            ServerEndpointImpl server, UUID session, String source, ConRsp[] rspOut, InfoRsp[] infoOut)
            throws Exception {
        RawClient c = new RawClient(provider);
        CmEvent e = c.connect(
                new InetSocketAddress(InetAddress.getByName(source), 0),
                server.localAddresses().get(0),
                RawClient.conReq(session, 1));
        assertEquals(CmEventType.ESTABLISHED, e.type());
        rspOut[0] = RtrsCodec.decodeConRsp(e.privateData());
        infoOut[0] = c.info("raw");
        return c;
    }

    /** Writes {@code fill} bytes plus an empty header and a WRITE message into chunk 0 as an IO request. */
    private static void writeIo(RawClient c, long address, int rkey, int length, byte fill, int queueDepth)
            throws Exception {
        ByteBuffer out = c.memory.buffer();
        for (int i = 0; i < length; i++) {
            out.put(i, fill);
        }
        RtrsCodec.encode(new WriteMsg(0), out, length);
        c.write(address, rkey, length + WriteMsg.SIZE, Imm.ioRequest(0, length, Imm.memBits(queueDepth)));
    }

    @Test
    void aWriteThroughAStaleRkeyFailsAndLeavesServerMemoryUnchanged() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        ServerEndpointImpl server = server(true, 2, r -> {
            handled.incrementAndGet();
            r.respond(0);
        });
        UUID session = UUID.randomUUID();
        ConRsp[] rsp = new ConRsp[1];
        InfoRsp[] info = new InfoRsp[1];
        try (RawClient c = handshake(server, session, rsp, info)) {
            assertEquals(RtrsProtocol.FLAG_NEW_RKEY, rsp[0].flags() & RtrsProtocol.FLAG_NEW_RKEY);
            long address = info[0].chunks().get(0).address();
            int oldKey = info[0].chunks().get(0).key();

            writeIo(c, address, oldKey, 100, (byte) 'A', 2);
            WorkCompletion wc = c.receive();
            assertTrue(wc.isSuccess(), wc.toString());
            assertEquals(ImmType.IO_RSP, Imm.type(wc.immediateData()));
            assertEquals(0, Imm.responseErrno(Imm.payload(wc.immediateData())));
            RkeyRsp fresh = RtrsCodec.decodeRkeyRsp(c.slot(wc), 0, wc.byteLength());
            assertEquals(0, fresh.bufId());
            assertNotEquals(oldKey, fresh.rkey(), "always_invalidate hands out a new rkey");
            assertEquals(1, handled.get());

            ServerSessionImpl serverSession = server.findSession(session);
            byte[] before = new byte[100];
            serverSession.ios()[0].chunk.duplicate().get(before);
            byte[] expected = new byte[100];
            Arrays.fill(expected, (byte) 'A');
            assertArrayEquals(expected, before);

            // the hostile write, through the rkey of the finished IO
            for (int i = 0; i < 100; i++) {
                c.memory.buffer().put(i, (byte) 'B');
            }
            c.write(address, oldKey, 100, null);
            WorkCompletion failed = c.completion();
            assertEquals(WcStatus.REMOTE_ACCESS_ERROR, failed.status());
            byte[] after = new byte[100];
            serverSession.ios()[0].chunk.duplicate().get(after);
            assertArrayEquals(expected, after, "server memory unchanged");
            assertEquals(1, handled.get(), "the server saw no second request");
        }
    }

    @Test
    void theUserHeaderTheHandlerParsesIsACopyThatLaterWritesIntoTheChunkCannotChange() throws Exception {
        // without always_invalidate the chunk stays writable while the handler has it: what the handler parsed must
        // not change under it
        CompletableFuture<ServerRequestHolder> seen = new CompletableFuture<>();
        ServerEndpointImpl server = server(false, 2, r -> {
            ByteBuffer header = r.userHeader();
            seen.complete(new ServerRequestHolder(r, header));
        });
        ConRsp[] rsp = new ConRsp[1];
        InfoRsp[] info = new InfoRsp[1];
        UUID session = UUID.randomUUID();
        try (RawClient c = handshake(server, session, rsp, info)) {
            long address = info[0].chunks().get(0).address();
            int key = info[0].chunks().get(0).key();
            ByteBuffer out = c.memory.buffer();
            // 64 bytes of data, an 8-byte user header "HEADER-1", the WRITE message naming it
            for (int i = 0; i < 64; i++) {
                out.put(i, (byte) 'D');
            }
            out.put(64, "HEADER-1".getBytes(StandardCharsets.US_ASCII));
            RtrsCodec.encode(new WriteMsg(8), out, 72);
            c.write(address, key, 72 + WriteMsg.SIZE, Imm.ioRequest(0, 72, Imm.memBits(2)));
            assertTrue(c.completion().isSuccess(), "the IO request was sent");
            ServerRequestHolder held = seen.get(10, TimeUnit.SECONDS);

            // the client overwrites the header in the chunk while the handler has the IO
            out.put(0, "SPOILED!".getBytes(StandardCharsets.US_ASCII));
            c.write(address + 64, key, 8, null);
            assertTrue(c.completion().isSuccess(), "the write landed in the chunk");
            byte[] inChunk = new byte[8];
            server.findSession(session).ios()[0].chunk.get(64, inChunk);
            assertEquals("SPOILED!", new String(inChunk, StandardCharsets.US_ASCII));

            byte[] parsed = new byte[8];
            held.header().duplicate().get(parsed);
            assertEquals("HEADER-1", new String(parsed, StandardCharsets.US_ASCII));
            byte[] again = new byte[8];
            held.request().userHeader().get(again);
            assertEquals("HEADER-1", new String(again, StandardCharsets.US_ASCII));
            assertTrue(held.header().isReadOnly(), "the handler cannot write the header");
            held.request().respond(0);
            WorkCompletion response = c.receive();
            assertEquals(0, Imm.responseErrno(Imm.payload(response.immediateData())));
        }
    }

    private record ServerRequestHolder(ServerRequest request, ByteBuffer header) {}

    private static byte[] bytes(ByteBuffer b, int length) {
        byte[] out = new byte[length];
        b.duplicate().position(0).get(out);
        return out;
    }

    private static byte[] filled(int length, char c) {
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) c);
        return out;
    }

    @Test
    void aChunkWhoseIoTheHandlerHasIsWritableThroughNoKeyOfAnyPath() throws Exception {
        BlockingQueue<ServerRequest> seen = new LinkedBlockingQueue<>();
        ServerEndpointImpl server = server(true, 2, seen::add);
        UUID session = UUID.randomUUID();
        ConRsp[] rsp = new ConRsp[1];
        InfoRsp[] infoA = new InfoRsp[1];
        InfoRsp[] infoB = new InfoRsp[1];
        try (RawClient a = handshake(server, session, "127.0.0.1", rsp, infoA);
                RawClient b = handshake(server, session, "127.0.0.2", rsp, infoB)) {
            assertEquals(2, server.findSession(session).paths.size(), "one session, two paths");
            SgDesc chunkA = infoA[0].chunks().get(0);
            SgDesc chunkB = infoB[0].chunks().get(0);
            assertNotEquals(chunkA.address(), chunkB.address(), "each path has chunk memory of its own");

            writeIo(a, chunkA.address(), chunkA.key(), 100, (byte) 'A', 2);
            assertTrue(a.completion().isSuccess(), "the IO request was sent");
            ServerRequest first = seen.poll(10, TimeUnit.SECONDS);
            assertArrayEquals(filled(100, 'A'), bytes(first.data(), 100));

            // the hostile writes while the handler has chunk 0: through path A's fenced key, and through the key
            // path B announced for chunk 0
            for (int i = 0; i < 100; i++) {
                a.memory.buffer().put(i, (byte) 'X');
            }
            a.write(chunkA.address(), chunkA.key(), 100, null);
            assertEquals(WcStatus.REMOTE_ACCESS_ERROR, a.completion().status(), "path A's key is fenced");
            // and the client moves the IO to path B, as after a break only it saw: the copy waits for the first
            writeIo(b, chunkB.address(), chunkB.key(), 100, (byte) 'B', 2);
            assertTrue(b.completion().isSuccess(), "path B's key reaches path B's memory");
            assertArrayEquals(filled(100, 'A'), bytes(first.data(), 100), "the handler's data is unchanged");
            assertEquals(null, seen.poll(200, TimeUnit.MILLISECONDS), "the moved IO waits for the first");

            first.respond(0);
            ServerRequest moved = seen.poll(10, TimeUnit.SECONDS);
            assertArrayEquals(filled(100, 'B'), bytes(moved.data(), 100), "the moved IO has path B's data");
            moved.respond(0);
            WorkCompletion response = b.receive();
            assertEquals(ImmType.IO_RSP, Imm.type(response.immediateData()));
            assertEquals(0, Imm.responseErrno(Imm.payload(response.immediateData())));
        }
    }

    @Test
    void aClosedPathsMemoryIsGivenBackOnlyOnceTheHandlerAnsweredItsIo() throws Exception {
        BlockingQueue<ServerRequest> seen = new LinkedBlockingQueue<>();
        ServerEndpointImpl server = server(false, 2, seen::add);
        UUID session = UUID.randomUUID();
        ConRsp[] rsp = new ConRsp[1];
        InfoRsp[] info = new InfoRsp[1];
        RawClient c = handshake(server, session, rsp, info);
        assertEquals(1, server.chunkPool().blocksInUse());
        SgDesc chunk = info[0].chunks().get(0);
        writeIo(c, chunk.address(), chunk.key(), 64, (byte) 'A', 2);
        ServerRequest held = seen.poll(10, TimeUnit.SECONDS);
        c.close();
        Await.until(() -> server.findSession(session) == null, Duration.ofSeconds(10), "the path closed");
        assertEquals(1, server.chunkPool().blocksInUse(), "the handler still has an IO in the path's memory");
        assertArrayEquals(filled(64, 'A'), bytes(held.data(), 64));
        held.respond(0);
        assertEquals(0, server.chunkPool().blocksInUse(), "given back with the answer");
        assertEquals(1, server.chunkPool().idleBlocks(), "kept for the next path");
    }

    @Test
    void aPathBeyondMaxPathsIsRefusedAndTheNextOneGetsTheFreedMemory() throws Exception {
        ServerEndpointImpl server = (ServerEndpointImpl) transport.listen(
                ServerOptions.builder(InetAddress.getByName("127.0.0.1"))
                        .port(0)
                        .queueDepth(2)
                        .chunkSize(CHUNK)
                        .maxPaths(1)
                        .build(),
                r -> r.respond(0),
                null);
        ConRsp[] rsp = new ConRsp[1];
        InfoRsp[] info = new InfoRsp[1];
        RawClient first = handshake(server, UUID.randomUUID(), rsp, info);
        RawClient second = new RawClient(provider);
        second.connect(server.localAddresses().get(0), RawClient.conReq(UUID.randomUUID(), 1));
        second.sendInfoReq("second");
        // no INFO_RSP: the path is closed (ENOMEM in the log), as the kernel closes a path it cannot serve
        assertEquals(CmEventType.DISCONNECTED, second.next().type());
        second.close();
        assertEquals(1, server.chunkPool().blocksInUse());
        first.close();
        Await.until(() -> server.chunkPool().blocksInUse() == 0, Duration.ofSeconds(10), "the first path's memory");
        try (RawClient third = handshake(server, UUID.randomUUID(), rsp, info)) {
            assertEquals(1, server.chunkPool().blocksInUse(), "the third path reuses the block");
        }
    }

    @Test
    void aReadAskingForInvalidationGetsItsBufferInvalidatedBeforeTheResponse() throws Exception {
        ServerEndpointImpl server = server(true, 2, r -> {
            r.data().put(0, (byte) 42);
            r.respond(0);
        });
        ConRsp[] rsp = new ConRsp[1];
        InfoRsp[] info = new InfoRsp[1];
        try (RawClient c = handshake(server, UUID.randomUUID(), rsp, info)) {
            // the READ message names 512 bytes of the raw client's own memory, at offset 4096; as the kernel client
            // lays it out, it goes to chunk offset data_len (512), which the immediate's offset points at
            MemoryRegion target = c.memory;
            long address = target.address() + 4096;
            ReadMsgWriter.write(c.memory.buffer(), 0, address, target.rkey(), 512);
            c.write(
                    info[0].chunks().get(0).address() + 512,
                    info[0].chunks().get(0).key(),
                    ReadMsgWriter.SIZE,
                    Imm.ioRequest(0, 512, Imm.memBits(2)));
            WorkCompletion inv = c.receive();
            assertTrue(inv.isSuccess(), inv.toString());
            assertTrue(inv.hasInvalidate(), "SEND_WITH_INV first: " + inv);
            assertEquals(target.rkey(), inv.invalidatedRkey());
            assertFalse(target.isRemotelyAccessible(), "the client's buffer is fenced");
            WorkCompletion response = c.receive();
            assertEquals(ImmType.IO_RSP_W_INV, Imm.type(response.immediateData()));
            assertEquals(0, Imm.responseErrno(Imm.payload(response.immediateData())));
            assertEquals(42, c.memory.buffer().get(4096), "the data arrived before the response");
        }
    }

    /** A READ message with NEED_INVAL and one descriptor, as the kernel client sends for a fast-registered buffer. */
    private static final class ReadMsgWriter {
        static final int SIZE = 24;

        static void write(ByteBuffer b, int at, long address, int key, int length) {
            RtrsCodec.encode(
                    new ReadMsg(0, RtrsProtocol.FLAG_NEED_INVAL, List.of(new SgDesc(address, key, length))), b, at);
        }
    }

    @Test
    void withoutAlwaysInvalidateTheOldRkeyStaysValid() throws Exception {
        ServerEndpointImpl server = server(false, 2, r -> r.respond(0));
        UUID session = UUID.randomUUID();
        ConRsp[] rsp = new ConRsp[1];
        InfoRsp[] info = new InfoRsp[1];
        try (RawClient c = handshake(server, session, rsp, info)) {
            assertEquals(0, rsp[0].flags() & RtrsProtocol.FLAG_NEW_RKEY);
            long address = info[0].chunks().get(0).address();
            int key = info[0].chunks().get(0).key();
            writeIo(c, address, key, 64, (byte) 'A', 2);
            WorkCompletion wc = c.receive();
            assertEquals(ImmType.IO_RSP, Imm.type(wc.immediateData()));
            for (int i = 0; i < 64; i++) {
                c.memory.buffer().put(i, (byte) 'B');
            }
            c.write(address, key, 64, null);
            assertTrue(c.completion().isSuccess(), "the documented trade-off: the chunk stays writable");
            byte[] after = new byte[64];
            server.findSession(session).ios()[0].chunk.duplicate().get(after);
            assertEquals('B', after[0]);
        }
    }

    @Test
    void theHandlerOnlyEverSeesFencedChunks() throws Exception {
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicInteger seen = new AtomicInteger();
        ServerEndpointImpl server = server(true, 8, r -> {
            ServerIo io = ServerIo.of(r);
            if (io.path.chunkRegion(io.bufId).isRemotelyAccessible()) {
                violations.add("chunk " + io.bufId + " still remotely accessible in the handler");
            }
            seen.incrementAndGet();
            r.respond(0);
        });
        ClientSession s = transport.open(
                ClientSessionOptions.builder("fenced")
                        .paths(PathAddress.parse(
                                "127.0.0.1", server.localAddresses().get(0).getPort()))
                        .connectionsPerPath(2)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build(),
                null);
        for (int i = 0; i < 200; i++) {
            Permit p = s.acquirePermit();
            CompletableFuture<Integer> done = new CompletableFuture<>();
            s.submit(
                    p,
                    i % 2 == 0 ? Direction.WRITE : Direction.READ,
                    ByteBuffer.allocate(8),
                    new ByteBuffer[] {ByteBuffer.allocate(1024)},
                    done::complete);
            assertEquals(0, done.get(10, TimeUnit.SECONDS));
            s.releasePermit(p);
        }
        assertEquals(200, seen.get());
        assertTrue(violations.isEmpty(), violations.toString());
        // after the responses every chunk is registered again with a valid key
        ServerSessionImpl ss = server.findSession(s.uuid());
        for (ServerPath path : ss.paths.values()) {
            for (int i = 0; i < ss.queueDepth; i++) {
                assertTrue(path.chunkRegion(i).isRemotelyAccessible(), "chunk " + i + " re-registered");
            }
        }
        s.close();
    }

    @Test
    void aSaturatingLoadOnTinySendQueuesNeverOverflowsThem() throws Exception {
        ServerEndpointImpl server = server(true, 16, r -> r.respond(0));
        server.sendQueueLimit(3);
        ClientSession s = transport.open(
                ClientSessionOptions.builder("tiny-sq")
                        .paths(PathAddress.parse(
                                "127.0.0.1", server.localAddresses().get(0).getPort()))
                        .connectionsPerPath(2)
                        .connectTimeout(Duration.ofSeconds(10))
                        .build(),
                null);
        int total = 2000;
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger remaining = new AtomicInteger(total);
        for (int i = 0; i < total; i++) {
            Permit p = s.acquirePermit();
            s.submit(
                    p,
                    i % 3 == 0 ? Direction.READ : Direction.WRITE,
                    ByteBuffer.allocate(8),
                    new ByteBuffer[] {ByteBuffer.allocateDirect(2048)},
                    errno -> {
                        (errno == 0 ? ok : errors).incrementAndGet();
                        s.releasePermit(p);
                        if (remaining.decrementAndGet() == 0) {
                            all.complete(null);
                        }
                    });
        }
        all.get(50, TimeUnit.SECONDS);
        assertEquals(total, ok.get(), "errors: " + errors.get());
        ServerSessionImpl ss = server.findSession(s.uuid());
        long deferred =
                ss.paths.values().stream().mapToLong(ServerPath::deferredPosts).sum();
        assertTrue(deferred > 0, "the load must have waited for send completions at least once");
        assertFalse(ss.paths.values().iterator().next().isClosed());
        s.close();
    }
}
