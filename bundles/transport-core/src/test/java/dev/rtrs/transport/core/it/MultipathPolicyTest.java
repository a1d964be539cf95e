package dev.rtrs.transport.core.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.heartbeat.internal.HeartbeatMonitor;
import dev.rtrs.policy.mininflight.internal.MinInflightPolicy;
import dev.rtrs.policy.minlatency.internal.MinLatencyPolicy;
import dev.rtrs.policy.roundrobin.internal.RoundRobinPolicy;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The policy bundles' policies in a real transport: where IO goes, and switching policies while IO runs. */
@Timeout(90)
class MultipathPolicyTest {

    private final RoundRobinPolicy roundRobin = new RoundRobinPolicy();
    private final MinInflightPolicy minInflight = new MinInflightPolicy();
    private final MinLatencyPolicy minLatency = new MinLatencyPolicy();
    private TcpVerbsProvider provider;
    private HeartbeatMonitor heartbeat;
    private RtrsTransport transport;
    private StorageHandler storage;
    private int port;

    @BeforeEach
    void start() throws Exception {
        provider = new TcpVerbsProvider();
        heartbeat = new HeartbeatMonitor(20, 50);
        transport = new RtrsTransport()
                .addProvider(provider)
                .setHeartbeat(heartbeat)
                .addPolicy(roundRobin, "round-robin", "rr")
                .addPolicy(minInflight, "min-inflight", "mi")
                .addPolicy(minLatency, "min-latency", "ml");
        storage = new StorageHandler(16 * 1024 * 1024, true);
        ServerEndpoint server = transport.listen(
                ServerOptions.defaults(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                        .withPort(0)
                        .withQueueDepth(32)
                        .withChunkSize(64 * 1024),
                storage,
                null);
        port = server.localAddresses().get(0).getPort();
    }

    @AfterEach
    void stop() {
        transport.close();
        heartbeat.close();
        storage.close();
        provider.close();
    }

    private ClientSession open(String policy) throws Exception {
        ClientSession s = transport.open(
                ClientSessionOptions.builder("policy-" + policy)
                        .paths(PathAddress.parse("127.0.0.1", port), PathAddress.parse("127.0.0.2", port))
                        .policy(policy)
                        .connectionsPerPath(2)
                        .reconnectDelay(Duration.ofMillis(200))
                        .build(),
                null);
        Await.until(
                () -> s.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED),
                Duration.ofSeconds(10),
                "both paths connect");
        return s;
    }

    private static long writes(PathInfo p) {
        return p.statistics().writeCount();
    }

    @Test
    void roundRobinSpreadsIoOverTwoPathsWithinFivePercent() throws Exception {
        ClientSession s = open("rr");
        assertEquals("round-robin", s.policy(), "found by its alias");
        for (int i = 0; i < 4000; i++) {
            assertEquals(0, Fixture.io(s, Direction.WRITE, (i % 64) * 4096L, ByteBuffer.allocate(4096)));
        }
        List<PathInfo> paths = s.paths();
        long a = writes(paths.get(0));
        long b = writes(paths.get(1));
        assertEquals(4000, a + b);
        assertTrue(Math.abs(a - b) <= 0.05 * (a + b), a + " against " + b);
    }

    @Test
    void minInflightMovesIoAwayFromASlowPath() throws Exception {
        ClientSession s = open("min-inflight");
        // the slow path is held 8 ms of every 10: its IO piles up there while the other path's flows
        try (SlowLink slow = new SlowLink(provider, InetAddress.getByName("127.0.0.2"), 8, 10)) {
            runConcurrently(s, 8, 500);
        }
        List<PathInfo> paths = s.paths();
        long fast = writes(paths.get(0));
        long slowWrites = writes(paths.get(1));
        assertTrue(
                fast >= 2 * slowWrites,
                "fast path " + fast + " writes, slow path " + slowWrites + " (round-robin would give each half)");
    }

    @Test
    void minLatencyPrefersThePathWithTheLowerRoundTripTime() throws Exception {
        ClientSession s = open("ml");
        // held 8 ms of every 10, the slow path's heartbeats take milliseconds, the other path's well under one
        try (SlowLink slow = new SlowLink(provider, InetAddress.getByName("127.0.0.2"), 8, 10)) {
            Await.until(
                    () -> rtt(s, 1) > 3 * rtt(s, 0) && rtt(s, 0) > 0,
                    Duration.ofSeconds(10),
                    () -> "round-trip times measured: " + s.paths());
            s.resetStatistics();
            for (int i = 0; i < 500; i++) {
                assertEquals(0, Fixture.io(s, Direction.WRITE, (i % 64) * 4096L, ByteBuffer.allocate(4096)));
            }
        }
        List<PathInfo> paths = s.paths();
        assertTrue(
                writes(paths.get(0)) >= 0.9 * 500,
                "lower round-trip time: " + writes(paths.get(0)) + " of 500 writes; paths " + paths);
    }

    private static long rtt(ClientSession s, int path) {
        return s.paths().get(path).roundTripNanos();
    }

    @Test
    void switchingRemovingAndReinstallingPoliciesUnderIoLosesNothing() throws Exception {
        ClientSession s = open("min-inflight");
        try (VerifiedLoad load = new VerifiedLoad(s, 6, 64, 1_000_000)) {
            for (String policy : new String[] {"round-robin", "ml", "mi", "rr"}) {
                Thread.sleep(150);
                s.setPolicy(policy);
            }
            s.setPolicy("min-latency");
            Thread.sleep(150);
            transport.removePolicy(minLatency);
            assertEquals("round-robin (fallback: min-latency is not installed)", s.policy());
            Thread.sleep(150);
            transport.addPolicy(minLatency, "min-latency", "ml");
            assertEquals("min-latency", s.policy());
            Thread.sleep(150);
            load.finish();
            assertEquals(0, load.errors.get() + load.mismatches.get(), load.summary());
            assertTrue(load.ios.get() > 500, load.summary());
        }
    }

    /** {@code threads} writers, each {@code perThread} writes. */
    private static void runConcurrently(ClientSession s, int threads, int perThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int errno =
                                Fixture.io(s, Direction.WRITE, (me * 64L + i % 64) * 4096, ByteBuffer.allocate(4096));
                        if (errno != 0) {
                            return errno;
                        }
                    }
                    return 0;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(0, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
