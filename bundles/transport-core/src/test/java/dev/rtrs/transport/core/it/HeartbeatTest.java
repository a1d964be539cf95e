package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.heartbeat.internal.HeartbeatMonitor;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Heartbeats between a real client and server: no false alarm on idle or busy paths, and round-trip times. */
@Timeout(60)
class HeartbeatTest {

    /** A server on two addresses, so that a session has two paths (two between the same hosts are refused). */
    private static Fixture twoAddresses() throws Exception {
        return new Fixture(
                true,
                Fixture.QUEUE_DEPTH,
                false,
                InetAddress.getByName("127.0.0.1"),
                InetAddress.getByName("127.0.0.2"));
    }

    @Test
    void idlePathsStayConnectedAndLearnTheirRoundTripTime() throws Exception {
        try (Fixture f = twoAddresses();
                HeartbeatMonitor monitor = new HeartbeatMonitor(50, 2)) {
            f.transport.setHeartbeat(monitor);
            ClientSession s = f.open("idle", "127.0.0.1", "127.0.0.2");
            Thread.sleep(1_500);
            for (PathInfo p : s.paths()) {
                PathStatistics st = p.statistics();
                assertEquals(0, st.reconnectsSuccessful() + st.reconnectsFailed(), "no false alarm on " + p);
                assertTrue(
                        p.roundTripNanos() > 0 && p.roundTripNanos() < TimeUnit.SECONDS.toNanos(1),
                        "a round-trip time was measured: " + p);
            }
            assertTrue(f.server.sessions().get(0).paths().size() == 2, "the server kept both paths");
            assertTrue(
                    f.server.sessions().get(0).paths().stream().allMatch(p -> p.roundTripNanos() > 0),
                    "the server measures its paths too");
        }
    }

    @Test
    void busyPathsStayConnected() throws Exception {
        try (Fixture f = twoAddresses();
                HeartbeatMonitor monitor = new HeartbeatMonitor(50, 2)) {
            f.transport.setHeartbeat(monitor);
            ClientSession s = f.open("busy", "127.0.0.1", "127.0.0.2");
            try (VerifiedLoad load = new VerifiedLoad(s, 8, 64, 20_000)) {
                Thread.sleep(1_500);
                load.finish();
                assertEquals(0, load.errors.get() + load.mismatches.get(), load.summary());
            }
            for (PathInfo p : s.paths()) {
                PathStatistics st = p.statistics();
                assertEquals(0, st.reconnectsSuccessful() + st.reconnectsFailed(), "no false alarm on " + p);
            }
        }
    }

    @Test
    void theServerFreesTheSessionOfAClientThatWentSilent() throws Exception {
        try (TcpVerbsProvider provider = new TcpVerbsProvider();
                HeartbeatMonitor monitor = new HeartbeatMonitor(100, 3);
                RtrsTransport serverSide =
                        new RtrsTransport().addProvider(provider).setHeartbeat(monitor);
                RtrsTransport clientSide = new RtrsTransport().addProvider(provider);
                StorageHandler storage = new StorageHandler(1024 * 1024, false)) {
            ServerEndpoint server = serverSide.listen(
                    ServerOptions.defaults(InetAddress.getByName("127.0.0.2"))
                            .withPort(0)
                            .withQueueDepth(8)
                            .withChunkSize(64 * 1024),
                    storage,
                    null);
            ClientSession s = clientSide.open(
                    ClientSessionOptions.builder("vanishing")
                            .paths(PathAddress.parse(
                                    "127.0.0.2", server.localAddresses().get(0).getPort()))
                            .build(),
                    null);
            assertEquals(0, Fixture.io(s, Direction.WRITE, 0, ByteBuffer.allocate(512)));
            assertEquals(1, server.sessions().size());
            // the client's host stops answering; the client itself, without a heartbeat, notices nothing
            provider.silence(InetAddress.getByName("127.0.0.2"));
            long start = System.nanoTime();
            Await.until(
                    () -> server.sessions().isEmpty(),
                    Duration.ofSeconds(5),
                    () -> "the server still holds the silent client's session: " + server.sessions());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms <= 5 * 100 + 400, "freed after " + ms + " ms");
            provider.restore(InetAddress.getByName("127.0.0.2"));
            s.close();
        }
    }

    @Test
    void replacingOrRemovingTheMonitorUnderIoDropsNoPath() throws Exception {
        try (Fixture f = twoAddresses();
                HeartbeatMonitor first = new HeartbeatMonitor(50, 2);
                HeartbeatMonitor second = new HeartbeatMonitor(50, 2)) {
            f.transport.setHeartbeat(first);
            ClientSession s = f.open("swapped", "127.0.0.1", "127.0.0.2");
            try (VerifiedLoad load = new VerifiedLoad(s, 4, 64, 1_000_000)) {
                Thread.sleep(300);
                // an updated heartbeat bundle: the new monitor comes, the old one goes
                f.transport.setHeartbeat(second);
                f.transport.unsetHeartbeat(first);
                first.close();
                Thread.sleep(300);
                f.transport.unsetHeartbeat(second);
                Thread.sleep(300);
                f.transport.setHeartbeat(second);
                Thread.sleep(300);
                load.finish();
                assertEquals(0, load.errors.get() + load.mismatches.get(), load.summary());
            }
            for (PathInfo p : s.paths()) {
                PathStatistics st = p.statistics();
                assertEquals(0, st.reconnectsSuccessful() + st.reconnectsFailed(), "no path dropped: " + p);
            }
        }
    }
}
