package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server started before its verbs provider is installed waits for it instead of failing. */
@Timeout(60)
class StartOrderTest {

    @Test
    void serverStartedBeforeItsProviderListensWhenTheProviderArrives() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (RtrsTransport transport = new RtrsTransport();
                StorageHandler storage = new StorageHandler(1024 * 1024, false)) {
            ServerEndpoint server = transport.listen(
                    ServerOptions.defaults(InetAddress.getByName("127.0.0.1"))
                            .withPort(port)
                            .withQueueDepth(8)
                            .withChunkSize(64 * 1024),
                    storage,
                    null);
            assertTrue(server.localAddresses().isEmpty(), "nothing is bound without a provider");
            assertEquals(1, transport.servers().size(), "the waiting server is listed");

            TcpVerbsProvider provider = new TcpVerbsProvider();
            try {
                transport.addProvider(provider);
                assertEquals(port, server.localAddresses().get(0).getPort(), "listens on the configured port");
                ClientSession session = transport.open(
                        ClientSessionOptions.builder("late-provider")
                                .paths(PathAddress.parse("127.0.0.1", port))
                                .connectTimeout(Duration.ofSeconds(10))
                                .build(),
                        null);
                assertEquals(0, Fixture.io(session, Direction.WRITE, 0, ByteBuffer.wrap(new byte[] {1, 2, 3})));
                ByteBuffer back = ByteBuffer.allocate(3);
                assertEquals(0, Fixture.io(session, Direction.READ, 0, back));
                assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), back, "the data written reads back");
                session.close();
            } finally {
                transport.close();
                provider.close();
            }
        }
    }

    @Test
    void serverClosedWhileWaitingNeverListens() throws Exception {
        try (RtrsTransport transport = new RtrsTransport();
                TcpVerbsProvider provider = new TcpVerbsProvider();
                StorageHandler storage = new StorageHandler(1024 * 1024, false)) {
            ServerEndpoint server = transport.listen(
                    ServerOptions.defaults(InetAddress.getByName("127.0.0.1"))
                            .withPort(0)
                            .withQueueDepth(8)
                            .withChunkSize(64 * 1024),
                    storage,
                    null);
            server.close();
            assertTrue(transport.servers().isEmpty());
            transport.addProvider(provider);
            assertTrue(server.localAddresses().isEmpty(), "a closed server stays closed");
        }
    }
}
