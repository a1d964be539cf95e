package dev.rtrs.block.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.client.internal.MappedDevice;
import dev.rtrs.block.client.internal.RnbdClient;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.server.internal.FuzzStats.Family;
import dev.rtrs.block.server.internal.FuzzStats.Problem;
import dev.rtrs.test.support.Await;
import dev.rtrs.test.support.FuzzSettings;
import dev.rtrs.test.support.LogCapture;
import dev.rtrs.test.support.ResourceSnapshot;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.ServerEndpoint;
import dev.rtrs.transport.ServerOptions;
import dev.rtrs.verbs.tcp.TcpVerbsProvider;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded, seeded fuzzer against a live RNBD server: a hostile client on raw verbs sends mutated CON_REQ, INFO_REQ,
 * immediates, RDMA writes, RTRS WRITE/READ messages and RNBD messages, while a well-behaved client runs a
 * write-then-verify workload on another session of the same server. Passes when the server keeps running, the good
 * client sees no error and no mismatch, every case is answered or its connection closed, resources come back, and
 * the log stays bounded.
 *
 * <p>{@code -Dfuzz.cases=N} (default 100,000) and {@code -Dfuzz.seed=S} run more or another seed; {@code
 * -Dfuzz.seconds=T} bounds the run's time; {@code -Dfuzz.strict=true} fails on the known findings as well.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class RnbdFuzzTest {

    static final long DEFAULT_SEED = 0x5EED_2024L;
    static final int DEFAULT_CASES = 100_000;
    /** Server queue depth: not a power of two, so that the immediate can name chunk ids past it. */
    static final int QUEUE_DEPTH = 24;

    /**
     * Findings known today, by problem and family: reported, but failing the run only with {@code fuzz.strict}. See
     * FuzzRegressionTest for each one's own case.
     */
    private static final Map<Problem, Set<Family>> KNOWN = Map.of();
    /** WARN/ERROR lines the whole run may cause. */
    private static final long MAX_LOG_LINES = 5_000;

    private static final boolean LOG_FLOOD_KNOWN = false;
    /** Finding 1: refused connect requests leave their connection in the TCP provider (ServerEndpointImpl.reject). */
    private static final boolean LEAK_KNOWN = false;
    /** Finding 2: sessions allocate chunk memory before any check; a connect storm exhausts direct memory. */
    private static final boolean DIRECT_OOM_KNOWN = false;
    /** Finding 3: closed sessions' chunk memory stays referenced until the handshake timeout (30 s) fires. */
    private static final boolean RETENTION_KNOWN = false;

    private static final long MARGIN_DIRECT = 64L << 20;
    private static final int MARGIN_THREADS = 24;
    /** The direct buffers of thousands of closed connections go back when the collector gets to them. */
    private static final long SETTLE_MS = 15_000;

    @TempDir
    Path dir;

    @Test
    void hostileClientsLeaveTheServerAndOtherSessionsAlone() throws Exception {
        FuzzSettings settings = FuzzSettings.fromSystemProperties(DEFAULT_SEED, DEFAULT_CASES);
        long seconds = Long.getLong("fuzz.seconds", 240);
        List<String> failures = new ArrayList<>();
        try (LogCapture log = LogCapture.start(200);
                RnbdFixture f = new RnbdFixture(dir)) {
            f.registry.addDefinition(new ExportDefinition("fuzz", "memory", Map.of("size", "4M"), false, Set.of()));
            ServerEndpoint server = f.transport.listen(
                    ServerOptions.defaults(InetAddress.getByName("127.0.0.1"))
                            .withPort(0)
                            .withQueueDepth(QUEUE_DEPTH)
                            .withChunkSize(RnbdFixture.CHUNK),
                    f.core,
                    f.core);
            int port = server.localAddresses().get(0).getPort();
            MappedDevice good = f.client.map(spec("good", "good", "mem", AccessMode.RW, port));
            ResourceSnapshot before = ResourceSnapshot.take();
            FuzzStats stats = new FuzzStats(settings);
            PeakSampler peak = new PeakSampler().start();
            long started = System.nanoTime();
            // a provider of its own: what the hostile side leaks or holds is told apart from the server's
            try (GoodWorkload workload = new GoodWorkload(good, settings.seed()).start();
                    TcpVerbsProvider hostileProvider = new TcpVerbsProvider();
                    HostileRtrs hostile = new HostileRtrs(
                            hostileProvider, server.localAddresses().get(0), QUEUE_DEPTH, RnbdFixture.CHUNK)) {
                RtrsFuzzer fuzzer = new RtrsFuzzer(settings, hostile, stats);
                runFamilies(fuzzer, settings, started + TimeUnit.SECONDS.toNanos(seconds));
                workload.stopAndVerifyAll();
                log.println(stats.report());
                log.println("good client: " + workload);
                if (workload.errors.get() != 0 || workload.mismatches.get() != 0 || workload.operations.get() == 0) {
                    failures.add("the good client suffered: " + workload);
                }
            }
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            log.println("fuzz run took " + elapsed + " ms; peak " + peak.stop());
            // the hostile sessions go; the good one stays
            Await.until(() -> server.sessions().size() == 1, Duration.ofSeconds(45), "hostile sessions closed");
            ResourceSnapshot atEnd = ResourceSnapshot.take();
            long settleStart = System.nanoTime();
            ResourceSnapshot after = settle(before);
            long settleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - settleStart);
            log.println(
                    "resources before " + before + ", at the end " + atEnd + ", " + settleMs + " ms later " + after);
            if (!after.within(before, MARGIN_DIRECT, MARGIN_THREADS)) {
                String grew = "resources grew: before " + before + ", after " + after + "; held by\n"
                        + ResourceSnapshot.histogram("dev.rtrs", 25)
                        + ResourceSnapshot.histogram("java.nio.DirectByteBuffer", 3);
                if (LEAK_KNOWN && !settings.strict()) {
                    log.println("KNOWN FINDING 1 (not failing without -Dfuzz.strict=true): " + grew);
                } else {
                    failures.add(grew);
                }
            } else if (settleMs > SETTLE_MS) {
                String held = "memory of closed sessions held for " + settleMs + " ms after the run (" + atEnd
                        + " at the end, peak " + peak + ")";
                if (RETENTION_KNOWN && !settings.strict()) {
                    log.println("KNOWN FINDING (not failing without -Dfuzz.strict=true): " + held);
                } else {
                    failures.add(held);
                }
            }
            MappedDevice fresh = f.client.map(spec("fresh", "fresh", "mem-ro", AccessMode.RO, port));
            assertEquals(0, RnbdFixture.read(fresh, 0, ByteBuffer.allocate(4096)), "a fresh session serves IO");
            checkFindings(stats, settings, failures);
            log.println(log.summary(25));
            if (log.warnings() + log.errors() > MAX_LOG_LINES) {
                String flood = "log flood: " + (log.warnings() + log.errors()) + " WARN/ERROR lines for "
                        + stats.total() + " cases";
                if (!LOG_FLOOD_KNOWN || settings.strict()) {
                    failures.add(flood);
                } else {
                    log.println("KNOWN FINDING (not failing without -Dfuzz.strict=true): " + flood);
                }
            }
            if (log.errors() > 0 || log.traceLines() > 0) {
                String traces = "errors or stack traces in the log: " + log.traces();
                if (DIRECT_OOM_KNOWN && !settings.strict()) {
                    log.println("KNOWN FINDING 2 (not failing without -Dfuzz.strict=true): " + traces);
                } else {
                    failures.add(traces);
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void runFamilies(RtrsFuzzer fuzzer, FuzzSettings settings, long deadline) throws Exception {
        int remainingWeight = Family.totalWeight();
        String only = System.getProperty("fuzz.families", "");
        for (Family family : Family.values()) {
            if (!only.isEmpty() && !List.of(only.split(",")).contains(family.name())) {
                continue;
            }
            long now = System.nanoTime();
            long familyDeadline = now + (deadline - now) * family.weight / remainingWeight;
            remainingWeight -= family.weight;
            long cases = settings.share(family.weight, Family.totalWeight());
            switch (family) {
                case CON_REQ -> fuzzer.runConnect(cases, familyDeadline);
                case INFO_REQ -> fuzzer.runInfo(cases, familyDeadline);
                case RKEY -> fuzzer.runRkey(cases, familyDeadline);
                default -> fuzzer.runIo(family, cases, familyDeadline);
            }
        }
    }

    private static void checkFindings(FuzzStats stats, FuzzSettings settings, List<String> failures) {
        for (Problem p : Problem.values()) {
            Set<Family> known = KNOWN.getOrDefault(p, EnumSet.noneOf(Family.class));
            for (FuzzStats.Finding finding : stats.findings()) {
                if (finding.problem() == p && (settings.strict() || !known.contains(finding.family()))) {
                    failures.add(p + " " + finding.family() + ": " + finding.what() + " -> " + finding.detail() + "; "
                            + settings.reproduce(finding.family().name(), finding.index()));
                }
            }
        }
    }

    /**
     * Direct memory comes back when the collector has run the buffers' cleaners, and only once nothing holds the
     * closed sessions: wait for it, up to a bound past the server's 30 s handshake timeout.
     */
    private static ResourceSnapshot settle(ResourceSnapshot before) throws InterruptedException {
        ResourceSnapshot now = ResourceSnapshot.take();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (!now.within(before, MARGIN_DIRECT, MARGIN_THREADS) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(500);
            now = ResourceSnapshot.take();
        }
        return now;
    }

    /** The highest direct memory and thread count seen while the run goes on. */
    private static final class PeakSampler {
        private final Thread thread = new Thread(this::sample, "fuzz-peak-sampler");
        private volatile boolean stop;
        private volatile ResourceSnapshot peak = ResourceSnapshot.take();

        PeakSampler start() {
            thread.setDaemon(true);
            thread.start();
            return this;
        }

        private void sample() {
            while (!stop) {
                ResourceSnapshot now = ResourceSnapshot.take();
                ResourceSnapshot p = peak;
                peak = new ResourceSnapshot(
                        Math.max(p.directBytes(), now.directBytes()),
                        Math.max(p.directCount(), now.directCount()),
                        Math.max(p.threads(), now.threads()));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        PeakSampler stop() throws InterruptedException {
            stop = true;
            thread.interrupt();
            thread.join(5000);
            return this;
        }

        @Override
        public String toString() {
            return "peak " + peak;
        }
    }

    static RnbdClient.MapSpec spec(String name, String session, String device, AccessMode mode, int port) {
        return RnbdClient.MapSpec.builder(name, session, device)
                .paths(List.of(PathAddress.parse("127.0.0.1", port)))
                .mode(mode)
                .connectionsPerPath(2)
                .reconnectDelay(Duration.ofMillis(200))
                .connectTimeout(Duration.ofSeconds(10))
                .ioTimeoutMs(20_000)
                .build();
    }
}
