package dev.rtrs.verbs.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcOpcode;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The connection manager: address resolution, connect/accept/reject with private data, disconnect, handlers. */
public abstract class ConnectionManagerConformanceTest extends VerbsConformanceSupport {

    private static byte[] bytes(int n, int first) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    private boolean carriesPrivateData() {
        return device().capabilities().supports(Capability.CONNECT_PRIVATE_DATA);
    }

    @Test
    void connectAndAcceptCarryPrivateDataBothWays() throws Exception {
        assumeCapability(Capability.CONNECT_PRIVATE_DATA);
        byte[] request = bytes(20, 1);
        byte[] answer = bytes(33, 100);
        Link link = connect(spec().privateData(request, answer));
        assertArrayEquals(request, link.connectRequest.privateData());
        assertSame(link.listener, link.connectRequest.listenId());
        assertSame(link.server.id, link.connectRequest.id());
        assertNotSame(link.listener, link.server.id);
        assertArrayEquals(answer, link.clientEstablished.privateData());
        assertEquals(QpState.READY_TO_SEND, link.client.qp.state());
        assertEquals(QpState.READY_TO_SEND, link.server.qp.state());
        assertEquals(
                link.listener.localAddress().getPort(),
                link.client.id.remoteAddress().getPort());
        assertEquals(
                link.client.id.localAddress().getPort(),
                link.server.id.remoteAddress().getPort());
        assertSame(provider, link.client.id.provider());
    }

    @Test
    void privateDataUpToTheLimitPassesAndMoreIsEinval() throws Exception {
        assertEquals(56, CmId.MAX_PRIVATE_DATA);
        byte[] max = bytes(CmId.MAX_PRIVATE_DATA, 7);
        Link link = connect(spec().privateData(max, max));
        if (carriesPrivateData()) {
            assertArrayEquals(max, link.connectRequest.privateData());
            assertArrayEquals(max, link.clientEstablished.privateData());
        }

        Events events = new Events();
        CmId id = closeLater(provider.createCmId(events));
        id.resolveAddress(null, link.listener.localAddress(), millis(timeout()));
        events.expect(CmEventType.ADDR_RESOLVED, timeout());
        id.resolveRoute(millis(timeout()));
        events.expect(CmEventType.ROUTE_RESOLVED, timeout());
        ProtectionDomain pd = closeLater(id.device().allocateProtectionDomain());
        CompletionQueue cq = closeLater(id.device().createCompletionQueue(16, null));
        closeLater(id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 4, 4, 1, 1)));
        assertErrno(Errno.EINVAL, () -> id.connect(new byte[CmId.MAX_PRIVATE_DATA + 1], millis(timeout())));
    }

    @Test
    void acceptAndRejectRefuseTooMuchPrivateData() throws Exception {
        Events serverEvents = new Events();
        AtomicReference<Integer> acceptErrno = new AtomicReference<>();
        AtomicReference<Integer> rejectErrno = new AtomicReference<>();
        serverEvents.react(e -> {
            if (e.type() == CmEventType.CONNECT_REQUEST) {
                acceptErrno.set(errnoOf(() -> e.id().accept(new byte[CmId.MAX_PRIVATE_DATA + 1])));
                rejectErrno.set(errnoOf(() -> e.id().reject(new byte[CmId.MAX_PRIVATE_DATA + 1])));
                errnoOf(() -> e.id().reject(new byte[] {9}));
            }
        });
        CmId listener = listen(serverEvents, address());
        Events clientEvents = new Events();
        CmId id = activeId(clientEvents, listener.localAddress());
        id.connect(new byte[0], millis(timeout()));
        clientEvents.expect(CmEventType.REJECTED, timeout());
        assertEquals(Errno.EINVAL, acceptErrno.get());
        assertEquals(Errno.EINVAL, rejectErrno.get());
    }

    private interface Call {
        void run() throws Exception;
    }

    private static int errnoOf(Call call) {
        try {
            call.run();
            return 0;
        } catch (VerbsException e) {
            return e.errno();
        } catch (Exception e) {
            return -1;
        }
    }

    /** A client id, address and route resolved, with a queue pair; closed after the test. */
    private CmId activeId(Events events, InetSocketAddress destination) throws Exception {
        CmId id = closeLater(provider.createCmId(events));
        id.resolveAddress(null, destination, millis(timeout()));
        events.expect(CmEventType.ADDR_RESOLVED, timeout());
        id.resolveRoute(millis(timeout()));
        events.expect(CmEventType.ROUTE_RESOLVED, timeout());
        ProtectionDomain pd = closeLater(id.device().allocateProtectionDomain());
        CompletionQueue cq = closeLater(id.device().createCompletionQueue(16, null));
        closeLater(id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 4, 4, 1, 1)));
        return id;
    }

    @Test
    void rejectDeliversPrivateDataAndConnectionRefused() throws Exception {
        byte[] reason = bytes(12, 40);
        Events serverEvents = new Events().react(e -> {
            if (e.type() == CmEventType.CONNECT_REQUEST) {
                errnoOf(() -> e.id().reject(reason));
            }
        });
        CmId listener = listen(serverEvents, address());
        Events clientEvents = new Events();
        CmId id = activeId(clientEvents, listener.localAddress());
        id.connect(bytes(3, 1), millis(timeout()));
        CmEvent rejected = clientEvents.expect(CmEventType.REJECTED, timeout());
        assertEquals(Errno.ECONNREFUSED, rejected.status());
        if (device().capabilities().supports(Capability.REJECT_WITH_PRIVATE_DATA)) {
            assertArrayEquals(reason, rejected.privateData());
        }
        assertEquals(QpState.INIT, id.queuePair().state());
    }

    @Test
    void connectingWhereNobodyListensIsUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, address())) {
            port = s.getLocalPort();
        }
        Events events = new Events();
        CmId id = activeId(events, new InetSocketAddress(address(), port));
        id.connect(new byte[0], millis(timeout()));
        CmEvent e = events.expect(CmEventType.UNREACHABLE, timeout());
        assertEquals(Errno.ECONNREFUSED, e.status());
    }

    @Test
    void listeningOnPortZeroReportsTheChosenPort() throws Exception {
        CmId listener = listen(new Events(), address());
        InetSocketAddress local = listener.localAddress();
        assertNotEquals(0, local.getPort());
        assertEquals(address(), local.getAddress());
    }

    @Test
    void bindingToAnotherHostsAddressIsRefused() throws Exception {
        // 192.0.2.1 (TEST-NET-1) is never a local address; nothing is sent to it
        CmId id = closeLater(provider.createCmId(new Events()));
        assertErrno(Errno.EADDRNOTAVAIL, () -> id.bind(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 0)));
    }

    @Test
    void resolvingFromAnotherHostsAddressIsAnAddressError() throws Exception {
        CmId listener = listen(new Events(), address());
        Events events = new Events();
        CmId id = closeLater(provider.createCmId(events));
        id.resolveAddress(
                new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 0),
                listener.localAddress(),
                millis(timeout()));
        CmEvent e = events.expect(CmEventType.ADDR_ERROR, timeout());
        assertNotEquals(0, e.status());
        assertNull(id.queuePair());
    }

    @Test
    void resolvingFromALocalSourceBindsToIt() throws Exception {
        InetSocketAddress server = acceptingListener().localAddress();
        Events events = new Events();
        CmId id = closeLater(provider.createCmId(events));
        id.resolveAddress(new InetSocketAddress(address(), 0), server, millis(timeout()));
        events.expect(CmEventType.ADDR_RESOLVED, timeout());
        assertNotNullDevice(id);
    }

    private static void assertNotNullDevice(CmId id) {
        assertTrue(id.device() != null, "a resolved id names its device");
    }

    @Test
    void connectFromInsideTheRouteResolvedHandler() throws Exception {
        CmId listener = acceptingListener();
        Events events = new Events();
        CompletableFuture<QueuePair> qp = new CompletableFuture<>();
        events.react(e -> {
            try {
                if (e.type() == CmEventType.ADDR_RESOLVED) {
                    e.id().resolveRoute(millis(timeout()));
                } else if (e.type() == CmEventType.ROUTE_RESOLVED) {
                    ProtectionDomain pd = closeLater(e.id().device().allocateProtectionDomain());
                    CompletionQueue cq = closeLater(e.id().device().createCompletionQueue(16, null));
                    qp.complete(closeLater(e.id().createQueuePair(pd, new QueuePairAttributes(cq, cq, 4, 4, 1, 1))));
                    e.id().connect(bytes(5, 5), millis(timeout()));
                }
            } catch (Exception x) {
                qp.completeExceptionally(x);
            }
        });
        CmId id = closeLater(provider.createCmId(events));
        id.resolveAddress(null, listener.localAddress(), millis(timeout()));
        events.awaitType(CmEventType.ESTABLISHED, timeout());
        assertEquals(QpState.READY_TO_SEND, await(qp).state());
        assertTrue(events.failures().isEmpty(), events.failures()::toString);
    }

    @Test
    void closingTheNewIdInsideTheRequestHandlerRejects() throws Exception {
        Events serverEvents = new Events().react(e -> {
            if (e.type() == CmEventType.CONNECT_REQUEST) {
                e.id().close();
            }
        });
        CmId listener = listen(serverEvents, address());
        Events clientEvents = new Events();
        CmId id = activeId(clientEvents, listener.localAddress());
        id.connect(new byte[0], millis(timeout()));
        CmEvent e = clientEvents.next(timeout());
        assertTrue(e.type() == CmEventType.REJECTED || e.type() == CmEventType.UNREACHABLE, e::toString);
    }

    @ParameterizedTest(name = "initiated by the {0}")
    @ValueSource(strings = {"client", "server"})
    void disconnectReachesBothSides(String initiator) throws Exception {
        Link link = connect();
        Side first = initiator.equals("client") ? link.client : link.server;
        Side second = first == link.client ? link.server : link.client;
        first.id.disconnect();
        assertEquals(
                CmEventType.DISCONNECTED,
                first.events.awaitType(CmEventType.DISCONNECTED, timeout()).type());
        second.events.awaitType(CmEventType.DISCONNECTED, timeout());
        awaitState(link.client.qp, QpState.ERROR);
        awaitState(link.server.qp, QpState.ERROR);
    }

    @Test
    void disconnectFromInsideTheEstablishedHandler() throws Exception {
        CmId listener = acceptingListener();
        Events events = new Events().react(e -> {
            if (e.type() == CmEventType.ESTABLISHED) {
                e.id().disconnect();
            }
        });
        CmId id = activeId(events, listener.localAddress());
        id.connect(new byte[0], millis(timeout()));
        events.expect(CmEventType.ESTABLISHED, timeout());
        events.expect(CmEventType.DISCONNECTED, timeout());
    }

    @Test
    void postingSendsBeforeTheConnectionIsUpIsEnotconn() throws Exception {
        Events events = new Events();
        CmId id = activeId(events, acceptingListener().localAddress());
        QueuePair qp = id.queuePair();
        assertEquals(QpState.INIT, qp.state());
        MemoryRegion mr = closeLater(mr(id));
        assertErrno(Errno.ENOTCONN, () -> qp.postSend(send(1, mr, 0, 8)));
        qp.postReceive(new ReceiveWorkRequest().reset(1).addSge(mr, 0, 64));
    }

    private MemoryRegion mr(CmId id) throws Exception {
        ProtectionDomain pd = closeLater(id.device().allocateProtectionDomain());
        return pd.register(ByteBuffer.allocateDirect(64), Access.LOCAL_WRITE);
    }

    @Test
    void connectNeedsAQueuePairAndAResolvedRoute() throws Exception {
        Events events = new Events();
        CmId id = closeLater(provider.createCmId(events));
        assertErrno(Errno.EINVAL, () -> id.connect(new byte[0], millis(timeout())));
        id.resolveAddress(null, acceptingListener().localAddress(), millis(timeout()));
        events.expect(CmEventType.ADDR_RESOLVED, timeout());
        id.resolveRoute(millis(timeout()));
        events.expect(CmEventType.ROUTE_RESOLVED, timeout());
        assertErrno(Errno.EINVAL, () -> id.connect(new byte[0], millis(timeout())));
        ProtectionDomain pd = closeLater(id.device().allocateProtectionDomain());
        CompletionQueue cq = closeLater(id.device().createCompletionQueue(16, null));
        closeLater(id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 4, 4, 1, 1)));
        assertErrno(Errno.EINVAL, () -> id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 4, 4, 1, 1)));
    }

    @Test
    void ipv6Loopback() throws Exception {
        InetAddress v6 = ipv6Address();
        try (ServerSocket probe = new ServerSocket(0, 1, v6)) {
            Assumptions.assumeTrue(probe.isBound(), "IPv6 address unavailable");
        } catch (IOException e) {
            Assumptions.abort(v6 + " is unavailable on this host: " + e.getMessage());
        }
        // on RDMA hardware ::1 has no device: the test is skipped, not failed
        Events probeEvents = new Events();
        CmId probe = closeLater(provider.createCmId(probeEvents));
        try {
            probe.bind(new InetSocketAddress(v6, 0));
            probe.listen(1);
        } catch (VerbsException e) {
            Assumptions.abort("the provider cannot listen on " + v6 + ": " + e.getMessage());
        }
        CmId resolver = closeLater(provider.createCmId(probeEvents));
        resolver.resolveAddress(null, probe.localAddress(), millis(timeout()));
        Assumptions.assumeTrue(
                probeEvents.next(timeout()).type() == CmEventType.ADDR_RESOLVED,
                "the provider has no device reaching " + v6);
        Link link = connect(spec().address(v6).privateData(bytes(4, 1), bytes(4, 2)));
        assertEquals(v6, link.listener.localAddress().getAddress());
        MemoryRegion src = register(link.client, 64, 0);
        fill(src, bytes(64, 9));
        link.client.qp.postSend(send(5, src, 0, 64));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.client.cq));
        WorkCompletion wc = awaitCompletion(link.server.cq);
        assertStatus(WcStatus.SUCCESS, wc);
        assertArrayEquals(bytes(64, 9), link.server.received((int) wc.wrId(), 64));
    }

    @Test
    void manyConnectionsToOneListener() throws Exception {
        int n = 8;
        Events serverEvents = new Events();
        List<Side> servers = Collections.synchronizedList(new ArrayList<>());
        serverEvents.react(e -> {
            if (e.type() == CmEventType.CONNECT_REQUEST) {
                try {
                    servers.add(serverSide(e.id(), serverEvents));
                    e.id().accept(e.privateData());
                } catch (Exception x) {
                    throw new AssertionError(x);
                }
            }
        });
        CmId listener = listen(serverEvents, address());
        List<Events> clients = new ArrayList<>();
        List<CmId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Events ev = new Events();
            CmId id = activeId(ev, listener.localAddress());
            id.connect(new byte[] {(byte) i}, millis(timeout()));
            clients.add(ev);
            ids.add(id);
        }
        for (int i = 0; i < n; i++) {
            CmEvent est = clients.get(i).expect(CmEventType.ESTABLISHED, timeout());
            if (carriesPrivateData()) {
                assertArrayEquals(new byte[] {(byte) i}, est.privateData());
            }
        }
        int established = 0;
        int requests = 0;
        for (int i = 0; i < 2 * n; i++) {
            CmEventType t = serverEvents.next(timeout()).type();
            requests += t == CmEventType.CONNECT_REQUEST ? 1 : 0;
            established += t == CmEventType.ESTABLISHED ? 1 : 0;
        }
        assertEquals(n, requests);
        assertEquals(n, established);
        assertEquals(n, servers.size());
        assertTrue(serverEvents.failures().isEmpty(), serverEvents.failures()::toString);
    }

    private Side serverSide(CmId id, Events events) throws Exception {
        ProtectionDomain pd = closeLater(id.device().allocateProtectionDomain());
        CompletionQueue cq = closeLater(id.device().createCompletionQueue(16, null));
        QueuePair qp = closeLater(id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 4, 4, 1, 1)));
        MemoryRegion rr = closeLater(pd.register(ByteBuffer.allocateDirect(64), Access.LOCAL_WRITE));
        Side side = new Side(id, events, pd, cq, qp, rr, 64);
        side.postReceive(0);
        return side;
    }

    @Test
    void reconnectStormFromInsideHandlersCompletes() throws Exception {
        int refusals = 6;
        AtomicInteger requests = new AtomicInteger();
        Events serverEvents = new Events().react(e -> {
            if (e.type() == CmEventType.CONNECT_REQUEST) {
                try {
                    if (requests.incrementAndGet() <= refusals) {
                        e.id().reject(new byte[] {1});
                    } else {
                        serverSide(e.id(), null);
                        e.id().accept(new byte[] {2});
                    }
                } catch (Exception x) {
                    throw new AssertionError(x);
                }
            }
        });
        CmId listener = listen(serverEvents, address());
        CompletableFuture<CmEvent> done = new CompletableFuture<>();
        AtomicInteger attempts = new AtomicInteger();
        new Object() {
            void start() throws Exception {
                CmId id = closeLater(provider.createCmId(e -> {
                    try {
                        switch (e.type()) {
                            case ADDR_RESOLVED -> e.id().resolveRoute(millis(timeout()));
                            case ROUTE_RESOLVED -> {
                                ProtectionDomain pd = closeLater(e.id().device().allocateProtectionDomain());
                                CompletionQueue cq = closeLater(e.id().device().createCompletionQueue(16, null));
                                closeLater(e.id().createQueuePair(pd, new QueuePairAttributes(cq, cq, 4, 4, 1, 1)));
                                e.id().connect(new byte[] {(byte) attempts.incrementAndGet()}, millis(timeout()));
                            }
                            case REJECTED -> {
                                QueuePair qp = e.id().queuePair();
                                qp.close();
                                e.id().close();
                                start();
                            }
                            case ESTABLISHED -> done.complete(e);
                            default -> done.completeExceptionally(new AssertionError("unexpected " + e));
                        }
                    } catch (Exception x) {
                        done.completeExceptionally(x);
                    }
                }));
                id.resolveAddress(null, listener.localAddress(), millis(timeout()));
            }
        }.start();
        CmEvent established = await(done);
        if (carriesPrivateData()) {
            assertArrayEquals(new byte[] {2}, established.privateData());
        }
        assertEquals(refusals + 1, attempts.get());
    }

    @Test
    void closingTheListenerKeepsEstablishedConnections() throws Exception {
        Link link = connect();
        link.listener.close();
        MemoryRegion src = register(link.client, 16, 0);
        fill(src, bytes(16, 3));
        link.client.qp.postSend(send(1, src, 0, 16));
        assertStatus(WcStatus.SUCCESS, awaitCompletion(link.client.cq));
        WorkCompletion wc = awaitCompletion(link.server.cq);
        assertEquals(WcOpcode.RECV, wc.opcode());
        assertArrayEquals(bytes(16, 3), link.server.received((int) wc.wrId(), 16));
    }
}
