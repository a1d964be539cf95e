package dev.rtrs.verbs.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

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
import dev.rtrs.verbs.RdmaDevice;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.VerbsProvider;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * What every conformance class shares: one provider per class, connected pairs of queue pairs ("links"),
 * and bounded waits for events and completions (never sleep-and-hope: each wait polls until its condition
 * holds or its deadline passes).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class VerbsConformanceSupport {

    /** System property naming the IPv4 address to use (default {@code 127.0.0.1}). */
    public static final String ADDRESS_PROPERTY = "rtrs.conformance.address";
    /** System property naming the IPv6 address to use (default {@code ::1}). */
    public static final String IPV6_ADDRESS_PROPERTY = "rtrs.conformance.address6";

    protected VerbsProvider provider;
    private final Deque<AutoCloseable> cleanup = new ConcurrentLinkedDeque<>();

    /** The provider under test; called once per test class. */
    protected abstract VerbsProvider createProvider() throws Exception;

    /** Ends the provider after the class; closes it when it is {@link AutoCloseable}. */
    protected void closeProvider(VerbsProvider p) throws Exception {
        if (p instanceof AutoCloseable c) {
            c.close();
        }
    }

    /** The address servers listen on and clients connect to. */
    protected InetAddress address() throws UnknownHostException {
        return InetAddress.getByName(System.getProperty(ADDRESS_PROPERTY, "127.0.0.1"));
    }

    /** The IPv6 address for the IPv6 test. */
    protected InetAddress ipv6Address() throws UnknownHostException {
        return InetAddress.getByName(System.getProperty(IPV6_ADDRESS_PROPERTY, "::1"));
    }

    /** How long a wait for an event or a completion may take. */
    protected Duration timeout() {
        return Duration.ofSeconds(10);
    }

    /**
     * How long the provider retries a request the peer has no receive posted for; tests that rely on a
     * retrying request staying pending need at least half a second.
     */
    protected Duration rnrTimeout() {
        return Duration.ofSeconds(1);
    }

    /**
     * Breaks {@code id}'s connection abruptly, as if the peer's host vanished. Providers that cannot inject this
     * fault leave the default, which skips the tests needing it.
     */
    protected void abortConnection(CmId id) throws Exception {
        Assumptions.abort("the provider cannot break a connection abruptly");
    }

    /**
     * Makes every connection to or from {@code address} silent, as a link that drops every packet: nothing is
     * closed, and nothing is lost once {@link #restoreLink} ends it. Work posted after this call must not reach the
     * peer. Providers that cannot inject this fault leave the default, which skips the tests needing it.
     */
    protected void silenceLink(InetAddress address) throws Exception {
        Assumptions.abort("the provider cannot silence a link");
    }

    /** Ends {@link #silenceLink}: the connections resume where they stopped. */
    protected void restoreLink(InetAddress address) throws Exception {
        Assumptions.abort("the provider cannot silence a link");
    }

    @BeforeAll
    final void startProvider() throws Exception {
        provider = createProvider();
    }

    @AfterAll
    final void stopProvider() throws Exception {
        closeProvider(provider);
    }

    @AfterEach
    final void releaseResources() {
        AutoCloseable c;
        while ((c = cleanup.pollFirst()) != null) {
            try {
                c.close();
            } catch (Exception | AssertionError e) {
                // best effort: a failed test may leave resources in any state
            }
        }
    }

    /** Closes {@code resource} after the test (last registered, first closed). */
    protected <T extends AutoCloseable> T closeLater(T resource) {
        cleanup.addFirst(resource);
        return resource;
    }

    protected RdmaDevice device() {
        return provider.devices().get(0);
    }

    protected void assumeCapability(Capability c) {
        Assumptions.assumeTrue(device().capabilities().supports(c), "the device lacks " + c);
    }

    protected void assumeRetryingRequestsStayPending() {
        Assumptions.assumeTrue(rnrTimeout().toMillis() >= 500, "the provider's RNR retries end too soon for this test");
    }

    // ---------------------------------------------------------------- links

    /** Sizes and private data of a link. */
    protected static final class LinkSpec {
        int sendQueue = 64;
        int receiveQueue = 64;
        int completionQueue = 512;
        int serverCompletionQueue = 512;
        int sge = 4;
        int clientReceives = 8;
        int serverReceives = 8;
        int receiveSize = 4096;
        byte[] connectData = new byte[0];
        byte[] acceptData = new byte[0];
        InetAddress address;
        int ackTimeout = QueuePairAttributes.PROVIDER_DEFAULT;
        int retryCount = QueuePairAttributes.PROVIDER_DEFAULT;

        public LinkSpec sendQueue(int n) {
            sendQueue = n;
            return this;
        }

        public LinkSpec receiveQueue(int n) {
            receiveQueue = n;
            return this;
        }

        public LinkSpec serverCompletionQueue(int n) {
            serverCompletionQueue = n;
            return this;
        }

        public LinkSpec receives(int client, int server) {
            clientReceives = client;
            serverReceives = server;
            return this;
        }

        public LinkSpec receiveSize(int n) {
            receiveSize = n;
            return this;
        }

        public LinkSpec privateData(byte[] connect, byte[] accept) {
            connectData = connect;
            acceptData = accept;
            return this;
        }

        public LinkSpec address(InetAddress a) {
            address = a;
            return this;
        }

        /** The ACK timeout exponent and retry count of both queue pairs. */
        public LinkSpec ackTimeout(int exponent, int retries) {
            ackTimeout = exponent;
            retryCount = retries;
            return this;
        }
    }

    protected static LinkSpec spec() {
        return new LinkSpec();
    }

    /** One side of a link: its id, resources, and a receive region of {@code receives * receiveSize} bytes. */
    protected static final class Side {
        public final CmId id;
        public final Events events;
        public final ProtectionDomain pd;
        public final CompletionQueue cq;
        public final QueuePair qp;
        public final MemoryRegion receiveRegion;
        final int receiveSize;

        Side(
                CmId id,
                Events events,
                ProtectionDomain pd,
                CompletionQueue cq,
                QueuePair qp,
                MemoryRegion receiveRegion,
                int receiveSize) {
            this.id = id;
            this.events = events;
            this.pd = pd;
            this.cq = cq;
            this.qp = qp;
            this.receiveRegion = receiveRegion;
            this.receiveSize = receiveSize;
        }

        /** Posts receive slot {@code slot} (wrId = slot) of the receive region. */
        public void postReceive(int slot) throws VerbsException {
            qp.postReceive(
                    new ReceiveWorkRequest(1).reset(slot).addSge(receiveRegion, slot * receiveSize, receiveSize));
        }

        /** The bytes a receive into {@code slot} brought. */
        public byte[] received(int slot, int length) {
            byte[] b = new byte[length];
            receiveRegion.buffer().position(slot * receiveSize).get(b);
            return b;
        }
    }

    /** Two connected queue pairs and the listening id. */
    protected static final class Link {
        public final CmId listener;
        public final Side client;
        public final Side server;
        public final CmEvent connectRequest;
        public final CmEvent clientEstablished;

        Link(CmId listener, Side client, Side server, CmEvent connectRequest, CmEvent clientEstablished) {
            this.listener = listener;
            this.client = client;
            this.server = server;
            this.connectRequest = connectRequest;
            this.clientEstablished = clientEstablished;
        }
    }

    /** A listening id on {@link #address()} with an ephemeral port. */
    protected CmId listen(Events events, InetAddress at) throws Exception {
        CmId listener = closeLater(provider.createCmId(events));
        listener.bind(new InetSocketAddress(at, 0));
        listener.listen(16);
        return listener;
    }

    /**
     * Connects a client to a fresh listener. The listener's handler creates the new id's queue pair, posts its
     * receives and accepts, all inside the handler.
     */
    protected Link connect(LinkSpec s) throws Exception {
        InetAddress at = s.address != null ? s.address : address();
        Events serverEvents = new Events();
        CompletableFuture<Side> serverSide = new CompletableFuture<>();
        serverEvents.react(e -> {
            if (e.type() == CmEventType.CONNECT_REQUEST && !serverSide.isDone()) {
                try {
                    Side side = createSide(e.id(), serverEvents, s, s.serverCompletionQueue, s.serverReceives);
                    serverSide.complete(side);
                    e.id().accept(s.acceptData);
                } catch (Exception | AssertionError x) {
                    serverSide.completeExceptionally(x);
                }
            }
        });
        CmId listener = listen(serverEvents, at);
        Events clientEvents = new Events();
        CmId id = closeLater(provider.createCmId(clientEvents));
        id.resolveAddress(
                null, new InetSocketAddress(at, listener.localAddress().getPort()), millis(timeout()));
        clientEvents.expect(CmEventType.ADDR_RESOLVED, timeout());
        id.resolveRoute(millis(timeout()));
        clientEvents.expect(CmEventType.ROUTE_RESOLVED, timeout());
        Side client = createSide(id, clientEvents, s, s.completionQueue, s.clientReceives);
        id.connect(s.connectData, millis(timeout()));
        CmEvent established = clientEvents.expect(CmEventType.ESTABLISHED, timeout());
        CmEvent request = serverEvents.expect(CmEventType.CONNECT_REQUEST, timeout());
        Side server = await(serverSide);
        serverEvents.expect(CmEventType.ESTABLISHED, timeout());
        return new Link(listener, client, server, request, established);
    }

    protected Link connect() throws Exception {
        return connect(spec());
    }

    /** A listener whose handler accepts every request (a small queue pair per new id, one receive posted). */
    protected CmId acceptingListener() throws Exception {
        Events events = new Events();
        LinkSpec small = spec().sendQueue(4).receiveQueue(4);
        events.react(e -> {
            if (e.type() == CmEventType.CONNECT_REQUEST) {
                try {
                    createSide(e.id(), events, small, 16, 1);
                    e.id().accept(new byte[0]);
                } catch (Exception x) {
                    throw new AssertionError(x);
                }
            }
        });
        return listen(events, address());
    }

    private Side createSide(CmId id, Events events, LinkSpec s, int cqSize, int receives) throws Exception {
        ProtectionDomain pd = closeLater(id.device().allocateProtectionDomain());
        CompletionQueue cq = closeLater(id.device().createCompletionQueue(cqSize, null));
        QueuePair qp = closeLater(id.createQueuePair(
                pd,
                new QueuePairAttributes(
                        cq, cq, s.sendQueue, s.receiveQueue, s.sge, s.sge, s.ackTimeout, s.retryCount)));
        int slots = Math.max(1, Math.max(receives, s.receiveQueue));
        MemoryRegion rr = closeLater(pd.register(ByteBuffer.allocateDirect(slots * s.receiveSize), Access.LOCAL_WRITE));
        Side side = new Side(id, events, pd, cq, qp, rr, s.receiveSize);
        for (int i = 0; i < receives; i++) {
            side.postReceive(i);
        }
        return side;
    }

    /** Registers a direct buffer of {@code size} bytes on {@code side}'s domain, closed after the test. */
    protected MemoryRegion register(Side side, int size, int access) throws VerbsException {
        return closeLater(side.pd.register(ByteBuffer.allocateDirect(size), access));
    }

    // ---------------------------------------------------------------- work requests and completions

    protected static SendWorkRequest send(long wrId, MemoryRegion mr, int offset, int length) {
        SendWorkRequest wr = new SendWorkRequest(4).reset(wrId, SendOpcode.SEND);
        return length > 0 ? wr.addSge(mr, offset, length) : wr;
    }

    protected static SendWorkRequest write(long wrId, MemoryRegion src, int length, long remote, int rkey) {
        SendWorkRequest wr =
                new SendWorkRequest(4).reset(wrId, SendOpcode.RDMA_WRITE).remote(remote, rkey);
        return length > 0 ? wr.addSge(src, 0, length) : wr;
    }

    protected static SendWorkRequest read(long wrId, MemoryRegion dst, int length, long remote, int rkey) {
        return new SendWorkRequest(4)
                .reset(wrId, SendOpcode.RDMA_READ)
                .addSge(dst, 0, length)
                .remote(remote, rkey);
    }

    /** Waits for one completion on {@code cq}. */
    protected WorkCompletion awaitCompletion(CompletionQueue cq) throws VerbsException {
        return awaitCompletions(cq, 1).get(0);
    }

    /** Waits for {@code n} completions on {@code cq}, in the order they were polled. */
    protected List<WorkCompletion> awaitCompletions(CompletionQueue cq, int n) throws VerbsException {
        return awaitCompletions(cq, n, timeout());
    }

    protected List<WorkCompletion> awaitCompletions(CompletionQueue cq, int n, Duration within) throws VerbsException {
        List<WorkCompletion> out = new ArrayList<>(n);
        WorkCompletion[] batch = new WorkCompletion[Math.min(n, 64)];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new WorkCompletion();
        }
        long deadline = System.nanoTime() + within.toNanos();
        while (out.size() < n) {
            int got = cq.poll(batch.length <= n - out.size() ? batch : Arrays.copyOf(batch, n - out.size()));
            for (int i = 0; i < got; i++) {
                out.add(new WorkCompletion().copyFrom(batch[i]));
            }
            if (got == 0) {
                if (System.nanoTime() - deadline > 0) {
                    fail("only " + out.size() + " of " + n + " completions within " + within + ": " + out);
                }
                LockSupport.parkNanos(100_000);
            }
        }
        return out;
    }

    /** Polls {@code cq} for {@code period}: no completion may appear. */
    protected void assertNoCompletion(CompletionQueue cq, Duration period) throws VerbsException {
        WorkCompletion[] one = {new WorkCompletion()};
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() - end < 0) {
            if (cq.poll(one) > 0) {
                fail("unexpected completion " + one[0]);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Waits until {@code qp} is in {@code state}. */
    protected void awaitState(QueuePair qp, QpState state) {
        long deadline = System.nanoTime() + timeout().toNanos();
        while (qp.state() != state) {
            if (System.nanoTime() - deadline > 0) {
                fail("queue pair " + qp.qpNumber() + " is " + qp.state() + ", not " + state);
            }
            LockSupport.parkNanos(200_000);
        }
    }

    protected static void assertStatus(WcStatus expected, WorkCompletion wc) {
        assertEquals(expected, wc.status(), () -> "completion " + wc);
    }

    protected static void assertErrno(int errno, Executable call) {
        VerbsException e = assertThrows(VerbsException.class, call);
        assertEquals(errno, e.errno(), () -> "errno of " + e.getMessage());
    }

    protected <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("not done within " + timeout(), e);
        }
    }

    protected static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    /** {@code n} pseudo-random bytes, the same for the same seed. */
    protected static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    protected static void fill(MemoryRegion mr, byte[] data) {
        mr.buffer().put(data);
    }

    protected static byte[] contents(MemoryRegion mr, int offset, int length) {
        byte[] b = new byte[length];
        mr.buffer().position(offset).get(b);
        return b;
    }

    protected static void assertNotNullEvent(CmEvent e) {
        assertNotNull(e);
    }
}
