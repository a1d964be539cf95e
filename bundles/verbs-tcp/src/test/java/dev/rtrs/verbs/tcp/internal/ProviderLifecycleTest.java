package dev.rtrs.verbs.tcp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rtrs.errno.Errno;
import dev.rtrs.test.support.Await;
import dev.rtrs.verbs.Access;
import dev.rtrs.verbs.CmEvent;
import dev.rtrs.verbs.CmEventType;
import dev.rtrs.verbs.CmId;
import dev.rtrs.verbs.CompletionQueue;
import dev.rtrs.verbs.MemoryRegion;
import dev.rtrs.verbs.ProtectionDomain;
import dev.rtrs.verbs.QpState;
import dev.rtrs.verbs.QueuePair;
import dev.rtrs.verbs.QueuePairAttributes;
import dev.rtrs.verbs.ReceiveWorkRequest;
import dev.rtrs.verbs.SendOpcode;
import dev.rtrs.verbs.SendWorkRequest;
import dev.rtrs.verbs.VerbsException;
import dev.rtrs.verbs.WcStatus;
import dev.rtrs.verbs.WorkCompletion;
import dev.rtrs.verbs.tcp.TcpProviderOptions;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two providers (two "hosts"): shutdown of one, and the statuses only the tcp provider promises exactly. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProviderLifecycleTest {

    /** A client connected to {@code server} from another provider. */
    private static final class Client {
        final LinkedBlockingQueue<CmEvent> events = new LinkedBlockingQueue<>();
        final CmId id;
        final ProtectionDomain pd;
        final CompletionQueue cq;
        final QueuePair qp;

        Client(TcpVerbsProvider provider, InetSocketAddress server) throws Exception {
            id = provider.createCmId(events::add);
            id.resolveAddress(null, server, 1000);
            expect(CmEventType.ADDR_RESOLVED);
            id.resolveRoute(1000);
            expect(CmEventType.ROUTE_RESOLVED);
            pd = id.device().allocateProtectionDomain();
            cq = id.device().createCompletionQueue(64, null);
            qp = id.createQueuePair(pd, new QueuePairAttributes(cq, cq, 16, 16, 1, 1));
            id.connect(new byte[0], 5000);
            expect(CmEventType.ESTABLISHED);
        }

        CmEvent expect(CmEventType type) throws InterruptedException {
            CmEvent e = events.poll(10, TimeUnit.SECONDS);
            assertEquals(type, e == null ? null : e.type(), () -> "event " + e);
            return e;
        }
    }

    private static WorkCompletion awaitCompletion(CompletionQueue cq) throws Exception {
        WorkCompletion[] one = {new WorkCompletion()};
        return Await.value(() -> cq.poll(one) == 0 ? null : one[0], Duration.ofSeconds(10), "no completion");
    }

    private static TcpVerbsProvider provider() {
        return new TcpVerbsProvider(
                TcpProviderOptions.builder().ioThreads(1).eventThreads(1).build());
    }

    @Test
    void closingAProviderRemovesItsDeviceAndResetsItsPeers() throws Exception {
        TcpVerbsProvider serverProvider = provider();
        try (TcpVerbsProvider clientProvider = provider()) {
            Server server = new Server(serverProvider, 1);
            Client client = new Client(clientProvider, server.address());
            Server.Accepted accepted = server.next();
            accepted.event(CmEventType.ESTABLISHED);
            MemoryRegion mr = client.pd.register(ByteBuffer.allocateDirect(64), Access.LOCAL_WRITE);
            client.qp.postReceive(new ReceiveWorkRequest().reset(5).addSge(mr, 0, 64));

            serverProvider.close();
            assertEquals(
                    Errno.ENODEV, accepted.event(CmEventType.DEVICE_REMOVAL).status());
            assertEquals(
                    Errno.ECONNRESET, client.expect(CmEventType.DISCONNECTED).status());
            WorkCompletion wc = awaitCompletion(client.cq);
            assertEquals(WcStatus.WR_FLUSH_ERROR, wc.status());
            assertEquals(5, wc.wrId());
            assertEquals(QpState.ERROR, client.qp.state());
            VerbsException e = assertThrows(VerbsException.class, () -> serverProvider.createCmId(ev -> {}));
            assertEquals(Errno.ENODEV, e.errno());
        } finally {
            serverProvider.close();
        }
    }

    @Test
    void responderErrorsReachTheRequesterWithTheirRcStatus() throws Exception {
        try (TcpVerbsProvider provider = provider()) {
            // a message longer than the receive: the sender sees REMOTE_INVALID_REQUEST_ERROR
            Server server = new Server(provider, 1);
            Client client = new Client(provider, server.address());
            MemoryRegion src = client.pd.register(ByteBuffer.allocateDirect(4096), Access.LOCAL_WRITE);
            client.qp.postSend(new SendWorkRequest().reset(1, SendOpcode.SEND).addSge(src, 0, 2048));
            assertEquals(
                    WcStatus.REMOTE_INVALID_REQUEST_ERROR,
                    awaitCompletion(client.cq).status());
            assertEquals(
                    WcStatus.LOCAL_LENGTH_ERROR,
                    awaitCompletion(server.next().cq).status());

            // a receive into memory without LOCAL_WRITE: REMOTE_OPERATION_ERROR
            Server second = new Server(provider, 0);
            Client other = new Client(provider, second.address());
            Server.Accepted a = second.next();
            MemoryRegion readOnly = second.pd.register(ByteBuffer.allocateDirect(64), Access.REMOTE_READ);
            a.qp.postReceive(new ReceiveWorkRequest().reset(3).addSge(readOnly, 0, 64));
            MemoryRegion src2 = other.pd.register(ByteBuffer.allocateDirect(64), Access.LOCAL_WRITE);
            other.qp.postSend(new SendWorkRequest().reset(2, SendOpcode.SEND).addSge(src2, 0, 8));
            assertEquals(
                    WcStatus.REMOTE_OPERATION_ERROR, awaitCompletion(other.cq).status());
            assertEquals(WcStatus.LOCAL_PROTECTION_ERROR, awaitCompletion(a.cq).status());

            // SEND_WITH_INV naming a key of no region: REMOTE_INVALID_REQUEST_ERROR
            Server third = new Server(provider, 1);
            Client last = new Client(provider, third.address());
            MemoryRegion src3 = last.pd.register(ByteBuffer.allocateDirect(64), Access.LOCAL_WRITE);
            last.qp.postSend(new SendWorkRequest()
                    .reset(4, SendOpcode.SEND_WITH_INV)
                    .addSge(src3, 0, 8)
                    .invalidate(0x7FFFFF01));
            assertEquals(
                    WcStatus.REMOTE_INVALID_REQUEST_ERROR,
                    awaitCompletion(last.cq).status());
        }
    }
}
