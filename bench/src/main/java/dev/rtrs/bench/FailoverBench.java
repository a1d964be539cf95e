package dev.rtrs.bench;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.PathState;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.ServerSession;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fail-over pause: a session with two loopback paths runs 4 KiB WRITEs with every permit busy; the server closes
 * one path in the middle. Prints, per round, how many IOs moved to the other path, the longest IO around the break
 * against the usual one, and how long until the closed path was back. One process, bounded in time and count.
 *
 * <pre>java -cp "bench/target/rtrs-bench.jar:bench/target/lib/*" dev.rtrs.bench.FailoverBench [--rounds 5]</pre>
 */
public final class FailoverBench {

    private static final int QUEUE_DEPTH = 32;
    private static final long MAX_IOS = 20_000_000;

    private FailoverBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds") && i + 1 < args.length) {
                rounds = Integer.parseInt(args[++i]);
            } else {
                System.err.println("usage: FailoverBench [--rounds N]");
                System.exit(2);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "RTRS fail-over over the tcp provider: 2 paths, %d permits, 4 KiB WRITEs, %d cores%n",
                QUEUE_DEPTH,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(
                Locale.ROOT,
                "%-6s %10s %14s %14s %16s %14s%n",
                "round",
                "moved IOs",
                "median IO us",
                "longest IO ms",
                "break seen ms",
                "path back ms");
        for (int r = 1; r <= rounds; r++) {
            round(r);
        }
    }

    private static void round(int round) throws Exception {
        try (TcpVerbsProvider tcp = new TcpVerbsProvider();
                RtrsTransport transport = new RtrsTransport().addProvider(tcp)) {
            ServerEndpoint server = transport.listen(
                    ServerOptions.builder(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"))
                            .port(0)
                            .queueDepth(QUEUE_DEPTH)
                            .chunkSize(65536)
                            .build(),
                    req -> req.respond(0),
                    null);
            int port = server.localAddresses().get(0).getPort();
            ClientSession session = transport.open(
                    ClientSessionOptions.builder("failover")
                            .paths(PathAddress.parse("127.0.0.1", port), PathAddress.parse("127.0.0.2", port))
                            .connectionsPerPath(2)
                            .reconnectDelay(Duration.ofMillis(100))
                            .connectTimeout(Duration.ofSeconds(10))
                            .build(),
                    null);
            awaitPaths(session, 10_000);
            long[] latencies = new long[1 << 20];
            AtomicInteger recorded = new AtomicInteger();
            AtomicLong done = new AtomicLong();
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(3);
            CountDownLatch idle = new CountDownLatch(QUEUE_DEPTH);
            for (int i = 0; i < QUEUE_DEPTH; i++) {
                new Loop(session, session.acquirePermit(), end, done, idle, latencies, recorded).next();
            }
            Thread.sleep(1000);
            ServerSession onServer = server.session("failover").orElseThrow();
            long broken = System.nanoTime();
            onServer.closePath(onServer.paths().get(0).uuid());
            // the client first notices the break, then reconnects the path (reconnect delay 100 ms)
            long noticeEnd = System.currentTimeMillis() + 10_000;
            while (session.paths().stream().allMatch(p -> p.state() == PathState.CONNECTED)
                    && System.currentTimeMillis() < noticeEnd) {
                Thread.onSpinWait();
            }
            long noticed = System.nanoTime() - broken;
            awaitPaths(session, 10_000);
            long back = System.nanoTime() - broken;
            if (!idle.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("IOs did not drain");
            }
            long moved = session.paths().stream()
                    .mapToLong(p -> p.statistics().failedOver())
                    .sum();
            long[] sorted = Arrays.copyOf(latencies, Math.min(recorded.get(), latencies.length));
            Arrays.sort(sorted);
            System.out.printf(
                    Locale.ROOT,
                    "%-6d %10d %14.1f %14.2f %16.2f %14.1f%n",
                    round,
                    moved,
                    sorted[sorted.length / 2] / 1e3,
                    sorted[sorted.length - 1] / 1e6,
                    noticed / 1e6,
                    back / 1e6);
            session.close();
        }
    }

    private static void awaitPaths(ClientSession s, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (s.paths().stream().anyMatch(p -> p.state() != PathState.CONNECTED) && System.currentTimeMillis() < end) {
            Thread.sleep(1);
        }
    }

    /** One permit's WRITE loop, driven by its completions; records every IO's latency. */
    private static final class Loop {
        private final ClientSession session;
        private final Permit permit;
        private final long end;
        private final AtomicLong done;
        private final CountDownLatch idle;
        private final long[] latencies;
        private final AtomicInteger recorded;
        private final ByteBuffer[] data = {ByteBuffer.allocateDirect(4096)};
        private final ByteBuffer header = ByteBuffer.allocate(8);

        Loop(
                ClientSession session,
                Permit permit,
                long end,
                AtomicLong done,
                CountDownLatch idle,
                long[] latencies,
                AtomicInteger recorded) {
            this.session = session;
            this.permit = permit;
            this.end = end;
            this.done = done;
            this.idle = idle;
            this.latencies = latencies;
            this.recorded = recorded;
        }

        void next() {
            if (System.nanoTime() > end || done.get() > MAX_IOS) {
                idle.countDown();
                return;
            }
            long t0 = System.nanoTime();
            data[0].clear();
            try {
                session.submit(permit, Direction.WRITE, header.duplicate(), data, errno -> {
                    if (errno != 0) {
                        throw new IllegalStateException("IO failed with errno " + errno + " across the fail-over");
                    }
                    int i = recorded.getAndIncrement();
                    if (i < latencies.length) {
                        latencies[i] = System.nanoTime() - t0;
                    }
                    done.incrementAndGet();
                    next();
                });
            } catch (Exception e) {
                idle.countDown();
                throw new IllegalStateException(e);
            }
        }
    }
}
