package dev.rtrs.bench;

import dev.rtrs.transport.ClientSession;
import dev.rtrs.transport.ClientSessionOptions;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.Permit;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.transport.core.RtrsTransport;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The RTRS transport over the tcp provider on loopback, with always_invalidate on and off: IOs per second and
 * bytes per second of WRITE and READ at 4 KiB and 64 KiB, every permit kept busy, one process (client and
 * server). Prints a table with the ratio off/on, the price of the secure default.
 *
 * <pre>java -cp "bench/target/rtrs-bench.jar:bench/target/lib/*" dev.rtrs.bench.TransportBench [--seconds 2]</pre>
 */
public final class TransportBench {

    private static final int QUEUE_DEPTH = 64;
    private static final long MAX_IOS = 50_000_000;

    private TransportBench() {}

    public static void main(String[] args) throws Exception {
        double seconds = 2;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds") && i + 1 < args.length) {
                seconds = Double.parseDouble(args[++i]);
            } else {
                System.err.println("usage: TransportBench [--seconds S]");
                System.exit(2);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "RTRS over the tcp provider, loopback, one process, %d permits, %d cores, %.1f s a run%n",
                QUEUE_DEPTH,
                Runtime.getRuntime().availableProcessors(),
                seconds);
        System.out.printf(Locale.ROOT, "%-14s %16s %16s %8s%n", "IO", "always_inv on", "always_inv off", "off/on");
        for (Direction direction : Direction.values()) {
            for (int size : new int[] {4096, 65536}) {
                double on = run(true, direction, size, seconds);
                double off = run(false, direction, size, seconds);
                String unit = size < 65536 ? " IO/s" : " MB/s";
                double scale = size < 65536 ? 1 : size / 1e6;
                System.out.printf(
                        Locale.ROOT,
                        "%-14s %16s %16s %8.2f%n",
                        direction + " " + size / 1024 + " KiB",
                        String.format(Locale.ROOT, "%,.0f%s", on * scale, unit),
                        String.format(Locale.ROOT, "%,.0f%s", off * scale, unit),
                        off / on);
            }
        }
    }

    /** One run: every permit loops submit, complete, submit again until the time is up; returns IOs per second. */
    private static double run(boolean alwaysInvalidate, Direction direction, int size, double seconds)
            throws Exception {
        try (TcpVerbsProvider tcp = new TcpVerbsProvider();
                RtrsTransport transport = new RtrsTransport().addProvider(tcp)) {
            ServerEndpoint server = transport.listen(
                    ServerOptions.defaults(InetAddress.getByName("127.0.0.1"))
                            .withPort(0)
                            .withQueueDepth(QUEUE_DEPTH)
                            .withChunkSize(128 * 1024)
                            .withAlwaysInvalidate(alwaysInvalidate),
                    request -> request.respond(0),
                    null);
            ClientSession session = transport.open(
                    ClientSessionOptions.builder("bench")
                            .paths(PathAddress.parse(
                                    "127.0.0.1", server.localAddresses().get(0).getPort()))
                            .connectTimeout(Duration.ofSeconds(10))
                            .build(),
                    null);
            long end = System.nanoTime() + (long) (seconds * 1e9);
            AtomicLong done = new AtomicLong();
            CountDownLatch idle = new CountDownLatch(QUEUE_DEPTH);
            long start = System.nanoTime();
            for (int i = 0; i < QUEUE_DEPTH; i++) {
                Permit p = session.acquirePermit();
                new Loop(session, p, direction, size, end, done, idle).next();
            }
            if (!idle.await((long) seconds + 30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("IOs did not drain");
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            session.close();
            return done.get() / elapsed;
        }
    }

    /** One permit's IO loop, driven by its completions. */
    private static final class Loop {
        private final ClientSession session;
        private final Permit permit;
        private final Direction direction;
        private final ByteBuffer[] data;
        private final ByteBuffer header = ByteBuffer.allocate(8);
        private final long end;
        private final AtomicLong done;
        private final CountDownLatch idle;

        Loop(
                ClientSession session,
                Permit permit,
                Direction direction,
                int size,
                long end,
                AtomicLong done,
                CountDownLatch idle) {
            this.session = session;
            this.permit = permit;
            this.direction = direction;
            this.data = new ByteBuffer[] {ByteBuffer.allocateDirect(size)};
            this.end = end;
            this.done = done;
            this.idle = idle;
        }

        void next() {
            if (System.nanoTime() > end || done.get() > MAX_IOS) {
                idle.countDown();
                return;
            }
            data[0].clear();
            try {
                session.submit(permit, direction, header.duplicate(), data, errno -> {
                    if (errno != 0) {
                        throw new IllegalStateException("IO failed with errno " + errno);
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
