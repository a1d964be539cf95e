package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.heartbeat.internal.HeartbeatMonitor;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One of two paths fails under a write-then-verify load: it goes silent (its packets dropped by a real firewall rule
 * or held by the provider's fault hook, nothing closed), or its TCP connections are killed by {@code ss -K}. The
 * failure is found (by the heartbeat when silent), the path's IO moves to the healthy path, no IO fails, no data is
 * lost, and the path comes back.
 */
@Timeout(120)
class PathFaultTest {

    private static final long INTERVAL_MS = 100;
    private static final int MISSED_MAX = 3;

    /**
     * @param serverWatches whether the server runs a heartbeat too; without it only the client sees the break, and
     *                      the server must neither close the healthy path nor let the moved IO overtake the old one
     */
    /** How a path is hurt. */
    enum Fault {
        FIREWALL,
        PROVIDER,
        KILL
    }

    @ParameterizedTest(name = "server heartbeat {0}")
    @ValueSource(booleans = {true, false})
    void aPathSilencedByAFirewallRuleIsDetectedAndItsIoMovesWithoutLossOrError(boolean serverWatches) throws Exception {
        FirewallDrop.assumeAvailable();
        run(serverWatches, Fault.FIREWALL);
    }

    @Test
    void aPathSilencedInTheVerbsProviderIsDetectedAndItsIoMovesWithoutLossOrError() throws Exception {
        run(true, Fault.PROVIDER);
    }

    @Test
    void aPathWhoseConnectionsAreKilledLosesNoIo() throws Exception {
        FirewallDrop.assumeAvailable();
        run(true, Fault.KILL);
    }

    private static void run(boolean serverWatches, Fault fault) throws Exception {
        try (TcpVerbsProvider provider = new TcpVerbsProvider();
                HeartbeatMonitor clientHeartbeat = new HeartbeatMonitor(INTERVAL_MS, MISSED_MAX);
                HeartbeatMonitor serverHeartbeat = new HeartbeatMonitor(INTERVAL_MS, MISSED_MAX);
                RtrsTransport serverSide = new RtrsTransport().addProvider(provider);
                RtrsTransport clientSide =
                        new RtrsTransport().addProvider(provider).setHeartbeat(clientHeartbeat);
                StorageHandler storage = new StorageHandler(64 * 1024 * 1024, true);
                FirewallDrop firewall = new FirewallDrop()) {
            if (serverWatches) {
                serverSide.setHeartbeat(serverHeartbeat);
            }
            ServerEndpoint server = serverSide.listen(
                    ServerOptions.defaults(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                            .withPort(0)
                            .withQueueDepth(32)
                            .withChunkSize(64 * 1024),
                    storage,
                    null);
            int port = server.localAddresses().get(0).getPort();
            ClientSession session = clientSide.open(
                    ClientSessionOptions.builder("silent-" + serverWatches)
                            .paths(PathAddress.parse("127.0.0.1", port), PathAddress.parse("127.0.0.2", port))
                            .connectionsPerPath(3)
                            .reconnectDelay(Duration.ofMillis(200))
                            .connectTimeout(Duration.ofSeconds(2))
                            .build(),
                    null);
            awaitPaths(session, 2, 10_000);

            VerifiedLoad load = new VerifiedLoad(session, 8, 256, 200_000);
            Thread.sleep(500);
            long silencedAt = System.nanoTime();
            InetAddress silenced = InetAddress.getByName("127.0.0.2");
            switch (fault) {
                case PROVIDER -> provider.silence(silenced);
                case FIREWALL -> firewall.drop("127.0.0.2", port);
                case KILL -> FirewallDrop.killConnections("127.0.0.2", port);
            }
            long detected = awaitPaths(session, 1, 10_000);
            long detectMs = TimeUnit.NANOSECONDS.toMillis(detected - silencedAt);
            Thread.sleep(1_500);
            if (fault == Fault.PROVIDER) {
                provider.restore(silenced);
            } else {
                firewall.restore();
            }
            awaitPaths(session, 2, 30_000);
            Thread.sleep(500);
            load.finish();

            assertTrue(detectMs <= (MISSED_MAX + 2) * INTERVAL_MS + 400, "failed path found after " + detectMs + " ms");
            assertEquals(0, load.errors.get(), load.summary());
            assertEquals(0, load.mismatches.get(), load.summary());
            assertTrue(load.ios.get() > 1000, load.summary());
            assertTrue(load.worstLatencyNanos.get() < TimeUnit.SECONDS.toNanos(3), load.summary());
            PathInfo healthy = session.paths().get(0);
            assertEquals(
                    0,
                    healthy.statistics().reconnectsSuccessful()
                            + healthy.statistics().reconnectsFailed(),
                    "the healthy path never went down");
            assertTrue(session.paths().get(1).statistics().reconnectsSuccessful() >= 1, "the silent path came back");
            session.close();
        }
    }

    @Test
    void withoutAHeartbeatMonitorPathsStillCarryIo() throws Exception {
        try (Fixture f = new Fixture(true)) {
            ClientSession s = f.open("no-heartbeat");
            try (VerifiedLoad load = new VerifiedLoad(s, 2, 16, 200)) {
                load.finish();
                assertEquals(0, load.errors.get() + load.mismatches.get(), load.summary());
            }
        }
    }

    /** Waits until exactly {@code count} paths are connected; returns when. */
    private static long awaitPaths(ClientSession session, int count, long timeoutMs) {
        Await.until(
                () -> session.paths().stream()
                                .filter(p -> p.state() == PathState.CONNECTED)
                                .count()
                        == count,
                Duration.ofMillis(timeoutMs),
                () -> count + " connected paths not reached in " + timeoutMs + " ms: " + session.paths());
        return System.nanoTime();
    }
}
