package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerSession;

/** What RtrsAdmin shows an operator: the open client sessions and the listening servers, and nothing closed. */
@Timeout(60)
class RtrsAdminTest {

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void listsOpenSessionsAndServersAndForgetsClosedOnes() throws Exception {
        try (Fixture f = new Fixture(true)) {
            assertEquals(List.of(f.server), f.transport.servers());
            assertTrue(f.transport.clientSessions().isEmpty());

            ClientSession a = f.open("admin-a");
            ClientSession b = f.open("admin-b");
            assertEquals(List.of(a, b), f.transport.clientSessions());
            assertEquals(PathState.CONNECTED, a.paths().get(0).state());
            await(() -> f.server.sessions().size() == 2, "the server announces both sessions");
            ServerSession onServer = f.server.session("admin-a").orElseThrow();
            assertEquals(Fixture.QUEUE_DEPTH, onServer.queueDepth());
            assertEquals(1, onServer.paths().size());

            a.close();
            assertEquals(List.of(b), f.transport.clientSessions());
            await(() -> f.server.session("admin-a").isEmpty(), "the server forgets the closed session");

            ServerEndpoint server = f.transport.servers().get(0);
            server.close();
            assertTrue(f.transport.servers().isEmpty(), "a closed server leaves the list");
        }
    }
}
