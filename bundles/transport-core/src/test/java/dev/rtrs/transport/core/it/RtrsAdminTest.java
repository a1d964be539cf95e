package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What RtrsAdmin shows an operator: the open client sessions and the listening servers, and nothing closed. */
@Timeout(60)
class RtrsAdminTest {

    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    @Test
    void listsOpenSessionsAndServersAndForgetsClosedOnes() throws Exception {
        try (Fixture f = new Fixture(true)) {
            assertEquals(List.of(f.server), f.transport.servers());
            assertTrue(f.transport.clientSessions().isEmpty());

            ClientSession a = f.open("admin-a");
            ClientSession b = f.open("admin-b");
            assertEquals(List.of(a, b), f.transport.clientSessions());
            assertEquals(PathState.CONNECTED, a.paths().get(0).state());
            Await.until(() -> f.server.sessions().size() == 2, TEN_SECONDS, "the server announces both sessions");
            ServerSession onServer = f.server.session("admin-a").orElseThrow();
            assertEquals(Fixture.QUEUE_DEPTH, onServer.queueDepth());
            assertEquals(1, onServer.paths().size());

            a.close();
            assertEquals(List.of(b), f.transport.clientSessions());
            Await.until(
                    () -> f.server.session("admin-a").isEmpty(), TEN_SECONDS, "the server forgets the closed session");

            ServerEndpoint server = f.transport.servers().get(0);
            server.close();
            assertTrue(f.transport.servers().isEmpty(), "a closed server leaves the list");
        }
    }
}
