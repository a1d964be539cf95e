package dev.rtrs.transport.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The plain-Java example of the README, kept compiling and working. */
@Timeout(30)
class ReadmeExampleTest {

    @Test
    void serverAndClientMoveData() throws Exception {
        // --- README example: begin ---
        try (TcpVerbsProvider tcp = new TcpVerbsProvider();
                RtrsTransport transport = new RtrsTransport().addProvider(tcp)) {

            // a server that keeps the last WRITE's data and returns it on READ
            ByteBuffer stored = ByteBuffer.allocate(4096);
            ServerEndpoint server = transport.listen(
                    ServerOptions.defaults(InetAddress.getLoopbackAddress()).withPort(0),
                    request -> {
                        if (request.direction() == Direction.WRITE) {
                            stored.clear().put(request.data()).flip();
                        } else {
                            request.data().put(stored.duplicate());
                        }
                        request.respond(0);
                    },
                    null);
            int port = server.localAddresses().get(0).getPort();

            ClientSession session = transport.open(
                    ClientSessionOptions.builder("example")
                            .paths(PathAddress.parse("127.0.0.1", port))
                            .build(),
                    null);

            byte[] hello = "hello, rtrs".getBytes(StandardCharsets.UTF_8);
            Permit permit = session.acquirePermit();
            CompletableFuture<Integer> written = new CompletableFuture<>();
            session.submit(
                    permit,
                    Direction.WRITE,
                    ByteBuffer.allocate(0),
                    new ByteBuffer[] {ByteBuffer.wrap(hello)},
                    written::complete);
            assertEquals(0, written.get(10, TimeUnit.SECONDS)); // errno 0

            ByteBuffer back = ByteBuffer.allocate(hello.length);
            CompletableFuture<Integer> read = new CompletableFuture<>();
            session.submit(permit, Direction.READ, ByteBuffer.allocate(0), new ByteBuffer[] {back}, read::complete);
            assertEquals(0, read.get(10, TimeUnit.SECONDS));
            session.releasePermit(permit);
            System.out.println(new String(back.array(), StandardCharsets.UTF_8)); // hello, rtrs
            // --- README example: end ---
            assertEquals("hello, rtrs", new String(back.array(), StandardCharsets.UTF_8));
        }
    }
}
