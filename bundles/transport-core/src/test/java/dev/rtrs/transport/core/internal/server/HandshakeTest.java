package dev.rtrs.transport.core.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.TransportException;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.transport.core.internal.wire.ConReq;
import dev.rtrs.transport.core.internal.wire.ConRsp;
import dev.rtrs.transport.core.internal.wire.RtrsCodec;
import dev.rtrs.transport.core.internal.wire.RtrsProtocol;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connection handshake: what the server accepts, and what it refuses with which errno. */
@Timeout(60)
class HandshakeTest {

    private TcpVerbsProvider provider;
    private RtrsTransport transport;
    private ServerEndpointImpl server;
    private InetSocketAddress address;
    private final List<RawClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        provider = new TcpVerbsProvider();
        transport = new RtrsTransport().addProvider(provider);
        listen(options());
    }

    private static ServerOptions.Builder options() throws Exception {
        return ServerOptions.builder(InetAddress.getByName("127.0.0.1"))
                .port(0)
                .queueDepth(2)
                .chunkSize(8192 * 2);
    }

    /** (Re)starts the server with these options. */
    private void listen(ServerOptions.Builder options) throws Exception {
        if (server != null) {
            server.close();
        }
        server = (ServerEndpointImpl) transport.listen(options.build(), request -> request.respond(0), null);
        address = server.localAddresses().get(0);
    }

    @AfterEach
    void stop() {
        clients.forEach(RawClient::close);
        transport.close();
        provider.close();
    }

    private CmEvent connect(ConReq req) throws Exception {
        return connect(RtrsCodec.encode(req));
    }

    private CmEvent connect(byte[] privateData) throws Exception {
        RawClient c = new RawClient(provider);
        clients.add(c);
        return c.connect(address, privateData);
    }

    private static ConReq request(int magic, int version, int cid, int cidNum, UUID path, UUID session, boolean first) {
        return new ConReq(magic, version, cid, cidNum, 0, path, session, first);
    }

    private static int rejectErrno(CmEvent e) throws Exception {
        assertEquals(CmEventType.REJECTED, e.type(), "expected a reject, got " + e);
        ConRsp rsp = RtrsCodec.decodeConRsp(e.privateData());
        assertEquals(RtrsProtocol.MAGIC, rsp.magic());
        return -rsp.errno();
    }

    @Test
    void acceptsAValidRequestWithTheServersParameters() throws Exception {
        CmEvent e = connect(
                request(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 1, UUID.randomUUID(), UUID.randomUUID(), true));
        assertEquals(CmEventType.ESTABLISHED, e.type());
        ConRsp rsp = RtrsCodec.decodeConRsp(e.privateData());
        assertEquals(0, rsp.errno());
        assertEquals(2, rsp.queueDepth());
        assertEquals(16384 - ServerEndpointImpl.MAX_HEADER_SIZE, rsp.maxIoSize());
        assertEquals(ServerEndpointImpl.MAX_HEADER_SIZE, rsp.maxHdrSize());
        assertEquals(RtrsProtocol.FLAG_NEW_RKEY, rsp.flags());
    }

    @Test
    void refusesWrongMagic() throws Exception {
        assertEquals(
                Errno.ECONNRESET,
                rejectErrno(connect(
                        request(0x1BBE, RtrsProtocol.VERSION, 0, 1, UUID.randomUUID(), UUID.randomUUID(), true))));
    }

    @Test
    void refusesAnotherMajorVersionButAcceptsAnotherMinor() throws Exception {
        assertEquals(
                Errno.ECONNRESET,
                rejectErrno(connect(
                        request(RtrsProtocol.MAGIC, 0x0300, 0, 1, UUID.randomUUID(), UUID.randomUUID(), true))));
        assertEquals(
                CmEventType.ESTABLISHED,
                connect(request(RtrsProtocol.MAGIC, 0x0201, 0, 1, UUID.randomUUID(), UUID.randomUUID(), true))
                        .type());
    }

    @Test
    void refusesMalformedPrivateData() throws Exception {
        assertEquals(Errno.ECONNRESET, rejectErrno(connect(new byte[10])));
        assertEquals(
                Errno.ECONNRESET,
                rejectErrno(connect(request(
                        RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 3, 2, UUID.randomUUID(), UUID.randomUUID(), true))));
    }

    @Test
    void refusesAnUnknownSessionWithoutFirstConnection() throws Exception {
        assertEquals(
                Errno.ENXIO,
                rejectErrno(connect(request(
                        RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 1, 2, UUID.randomUUID(), UUID.randomUUID(), false))));
    }

    @Test
    void refusesTooManyConnectionsAndDuplicates() throws Exception {
        assertEquals(
                Errno.ECONNRESET,
                rejectErrno(connect(request(
                        RtrsProtocol.MAGIC,
                        RtrsProtocol.VERSION,
                        0,
                        ServerOptions.DEFAULT_MAX_CONNECTIONS_PER_PATH + 1,
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        true))));
        UUID path = UUID.randomUUID();
        UUID session = UUID.randomUUID();
        assertEquals(
                CmEventType.ESTABLISHED,
                connect(request(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 2, path, session, true))
                        .type());
        assertEquals(
                Errno.ECONNRESET,
                rejectErrno(connect(request(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 2, path, session, true))),
                "the same connection twice");
        assertEquals(
                Errno.ECONNRESET,
                rejectErrno(connect(request(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 1, 3, path, session, false))),
                "a different connection count for the same path");
        assertEquals(
                CmEventType.ESTABLISHED,
                connect(request(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 1, 2, path, session, false))
                        .type());
    }

    @Test
    void refusesThePathAfterTheHundredTwentyEighth() throws Exception {
        // each path to another server address: two paths between the same addresses are refused anyway
        listen(ServerOptions.builder(InetAddress.getByName("0.0.0.0"))
                .port(0)
                .queueDepth(2)
                .chunkSize(8192 * 2)
                .maxConnectingPaths(200));
        UUID session = UUID.randomUUID();
        for (int i = 0; i < 129; i++) {
            InetSocketAddress to = new InetSocketAddress("127.0.0." + (i + 1), address.getPort());
            RawClient c = new RawClient(provider);
            clients.add(c);
            CmEvent e = c.connect(
                    to,
                    RtrsCodec.encode(
                            request(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 1, UUID.randomUUID(), session, true)));
            if (i < 128) {
                assertEquals(CmEventType.ESTABLISHED, e.type(), "path " + i);
            } else {
                assertEquals(Errno.ECONNRESET, rejectErrno(e), "the 129th path");
            }
        }
        assertEquals(128, server.findSession(session).paths.size());
    }

    @Test
    void anOperatorsLowerLimitOfPathsPerSessionRefusesThePathBeyondIt() throws Exception {
        listen(ServerOptions.builder(InetAddress.getByName("0.0.0.0"))
                .port(0)
                .queueDepth(2)
                .chunkSize(8192 * 2)
                .maxPathsPerSession(2));
        UUID session = UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            RawClient c = new RawClient(provider);
            clients.add(c);
            CmEvent e = c.connect(
                    new InetSocketAddress("127.0.0." + (i + 1), address.getPort()),
                    RtrsCodec.encode(
                            request(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 1, UUID.randomUUID(), session, true)));
            if (i < 2) {
                assertEquals(CmEventType.ESTABLISHED, e.type(), "path " + i);
            } else {
                assertEquals(Errno.ECONNRESET, rejectErrno(e), "the third path");
            }
        }
        assertEquals(2, server.findSession(session).paths.size());
        assertThrows(
                IllegalArgumentException.class,
                () -> ServerOptions.builder(InetAddress.getLoopbackAddress())
                        .maxPathsPerSession(129)
                        .build());
    }

    @Test
    void clientReportsTheServersRejectErrno() throws Exception {
        CmId listener = provider.createCmId(event -> {
            if (event.type() == CmEventType.CONNECT_REQUEST) {
                try {
                    event.id().reject(RtrsCodec.encode(ConRsp.reject(Errno.ENXIO)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        try {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            listener.listen(8);
            int port = listener.localAddress().getPort();
            TransportException e = assertThrows(
                    TransportException.class,
                    () -> transport.open(
                            ClientSessionOptions.builder("refused")
                                    .paths(PathAddress.parse("127.0.0.1", port))
                                    .connectionsPerPath(1)
                                    .connectTimeout(Duration.ofSeconds(10))
                                    .build(),
                            null));
            assertEquals(Errno.ENXIO, e.errno());
            assertTrue(e.getMessage().contains("ENXIO"), e.getMessage());
        } finally {
            listener.close();
        }
    }

    @Test
    void firstConnIsSetWhereTheKernelsClientSetsIt() throws Exception {
        // a listener that accepts every connection and records what its CON_REQ said, by the address it came to
        Map<String, List<ConReq>> byDestination = new ConcurrentHashMap<>();
        List<CmId> accepted = new CopyOnWriteArrayList<>();
        CmId listener = provider.createCmId(event -> {
            if (event.type() != CmEventType.CONNECT_REQUEST) {
                return;
            }
            try {
                CmId id = event.id();
                ConReq req = RtrsCodec.decodeConReq(event.privateData());
                byDestination
                        .computeIfAbsent(
                                id.localAddress().getAddress().getHostAddress(), k -> new CopyOnWriteArrayList<>())
                        .add(req);
                ProtectionDomain pd = id.device().allocateProtectionDomain();
                CompletionQueue cq = id.device().createCompletionQueue(64, null);
                id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 16, 16, 1, 1));
                accepted.add(id);
                id.accept(RtrsCodec.encode(ConRsp.accept(2, 8192, 4096, 0)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            listener.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            listener.listen(8);
            int port = listener.localAddress().getPort();
            // no INFO_RSP ever comes: the open fails, after every connection made its request
            assertThrows(
                    TransportException.class,
                    () -> transport.open(
                            ClientSessionOptions.builder("first-conn")
                                    .paths(PathAddress.parse("127.0.0.1", port), PathAddress.parse("127.0.0.2", port))
                                    .connectionsPerPath(2)
                                    .maxReconnectAttempts(0)
                                    .connectTimeout(Duration.ofSeconds(2))
                                    .build(),
                            null));
            List<ConReq> first = byDestination.get("127.0.0.1");
            List<ConReq> second = byDestination.get("127.0.0.2");
            assertTrue(first != null && first.size() >= 2, "both connections of the first path: " + byDestination);
            assertTrue(second != null && second.size() >= 2, "both connections of the second path: " + byDestination);
            assertTrue(first.stream().allMatch(ConReq::firstConn), "first_conn on every connection of path 0");
            assertTrue(
                    second.stream().filter(r -> r.cid() == 0).noneMatch(ConReq::firstConn),
                    "no first_conn on another path before it got through once");
            assertTrue(
                    second.stream().filter(r -> r.cid() > 0).allMatch(ConReq::firstConn),
                    "once its first connection is up, the path may create the session again, as the kernel's");
        } finally {
            listener.close();
            accepted.forEach(CmId::close);
        }
    }

    @Test
    void clientFailsCleanlyWhenNobodyListens() throws Exception {
        int port;
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        TransportException e = assertThrows(
                TransportException.class,
                () -> transport.open(
                        ClientSessionOptions.builder("nobody")
                                .paths(PathAddress.parse("127.0.0.1", port))
                                .connectionsPerPath(1)
                                .connectTimeout(Duration.ofSeconds(10))
                                .build(),
                        null));
        assertEquals(Errno.ECONNREFUSED, e.errno());
    }

    @Test
    void aPathThatNeverCompletesItsHandshakeIsClosedAsAZombie() throws Exception {
        listen(options().handshakeTimeout(Duration.ofMillis(300)));
        UUID session = UUID.randomUUID();
        UUID path = UUID.randomUUID();
        assertEquals(
                CmEventType.ESTABLISHED,
                connect(request(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 2, path, session, true))
                        .type());
        assertEquals(1, server.findSession(session).paths.size(), "half set up: one of two connections, no INFO_REQ");
        Await.until(
                () -> server.findSession(session) == null,
                Duration.ofSeconds(5),
                "the zombie path and its empty session are gone");
    }

    @Test
    void aReconnectWithANewReconnectCountReplacesAHalfSetUpPath() throws Exception {
        UUID session = UUID.randomUUID();
        UUID path = UUID.randomUUID();
        assertEquals(
                CmEventType.ESTABLISHED,
                connect(new ConReq(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 2, 0, path, session, true))
                        .type());
        ServerPath stale = server.findSession(session).paths.get(path);
        // the client gave that attempt up and starts over with the next recon_cnt
        assertEquals(
                CmEventType.ESTABLISHED,
                connect(new ConReq(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 2, 1, path, session, true))
                        .type());
        assertTrue(stale.isClosed(), "the stale incarnation is closed");
        ServerSessionImpl now = server.findSession(session);
        assertTrue(
                now != null && now.paths.get(path) != stale && now.paths.get(path).reconCnt == 1,
                "the new incarnation took its place");
    }

    private CmEvent firstConnection(UUID session, int connections) throws Exception {
        return connect(
                request(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, connections, UUID.randomUUID(), session, true));
    }

    @Test
    void limitsConnectionsPerPathSessionsAndPathsInTheirHandshake() throws Exception {
        listen(options().maxConnectionsPerPath(4).maxSessions(3).maxConnectingPaths(2));
        assertEquals(Errno.ECONNRESET, rejectErrno(firstConnection(UUID.randomUUID(), 5)), "5 of at most 4");
        // a third handshake is admitted while two are open: the oldest one makes room
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        UUID third = UUID.randomUUID();
        assertEquals(CmEventType.ESTABLISHED, firstConnection(first, 4).type());
        assertEquals(CmEventType.ESTABLISHED, firstConnection(second, 2).type());
        assertEquals(CmEventType.ESTABLISHED, firstConnection(third, 2).type());
        Await.until(() -> server.findSession(first) == null, Duration.ofSeconds(5), "the oldest handshake closed");
        assertTrue(server.findSession(second) != null && server.findSession(third) != null);
        listen(options().maxSessions(2));
        assertEquals(
                CmEventType.ESTABLISHED, firstConnection(UUID.randomUUID(), 2).type());
        assertEquals(
                CmEventType.ESTABLISHED, firstConnection(UUID.randomUUID(), 2).type());
        assertEquals(Errno.ECONNREFUSED, rejectErrno(firstConnection(UUID.randomUUID(), 2)), "a third session");
    }

    @Test
    void aSessionGetsItsChunkMemoryOnlyWithItsHandshakeComplete() throws Exception {
        UUID session = UUID.randomUUID();
        assertEquals(CmEventType.ESTABLISHED, firstConnection(session, 1).type());
        assertTrue(server.findSession(session).ios() == null, "no chunk memory for a connect request alone");
        ClientSession s = transport.open(
                ClientSessionOptions.builder("complete")
                        .paths(PathAddress.parse("127.0.0.1", address.getPort()))
                        .connectionsPerPath(1)
                        .build(),
                null);
        assertTrue(server.findSession(s.uuid()).ios() != null, "chunks once the INFO exchange is done");
        s.close();
    }

    @Test
    void aSecondPathBetweenTheSameAddressesIsRefusedWithEexist() throws Exception {
        UUID session = UUID.randomUUID();
        assertEquals(CmEventType.ESTABLISHED, firstConnection(session, 2).type());
        assertEquals(
                Errno.EEXIST,
                rejectErrno(connect(
                        request(RtrsProtocol.MAGIC, RtrsProtocol.VERSION, 0, 2, UUID.randomUUID(), session, true))));
    }

    private ClientSession open(String name) throws Exception {
        return transport.open(
                ClientSessionOptions.builder(name)
                        .paths(PathAddress.parse("127.0.0.1", address.getPort()))
                        .connectionsPerPath(1)
                        .maxReconnectAttempts(0)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build(),
                null);
    }

    @Test
    void sessionNamesWithSlashOrDotAndNamesInUseAreRefused() throws Exception {
        assertThrows(TransportException.class, () -> open("a/b"));
        assertThrows(TransportException.class, () -> open("a.b"));
        ClientSession first = open("taken");
        assertThrows(TransportException.class, () -> open("taken"), "EPERM: another live session has the name");
        assertEquals(1, server.sessions().size(), "the refused sessions left nothing behind");
        first.close();
        Await.until(() -> server.sessions().isEmpty(), Duration.ofSeconds(5), "the first session is gone");
        open("taken").close();
    }
}
