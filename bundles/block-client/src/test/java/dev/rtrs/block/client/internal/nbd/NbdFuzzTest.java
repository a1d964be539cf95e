package dev.rtrs.block.client.internal.nbd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.test.support.FuzzSettings;
import dev.rtrs.test.support.LogCapture;
import dev.rtrs.test.support.Mutator;
import dev.rtrs.test.support.ResourceSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bounded, seeded fuzzer against the NBD gateway: mutated handshakes (client flags, option magic, unknown options,
 * option lengths up to 2^32-1) on connections of their own, and mutated transmission requests (magic, commands,
 * flags, offsets and lengths past the end or overflowing, zero lengths) many to a connection, while a good client
 * writes and verifies on another export. {@code -Dfuzz.cases=N -Dfuzz.seed=S} as for the RNBD fuzzer.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class NbdFuzzTest {

    private static final int SIZE = 8 * 1024 * 1024;
    private static final int BATCH = 16;
    private static final long NEGOTIATION_SALT = Mutator.salt("NBD_NEGOTIATION");
    private static final long REQUEST_SALT = Mutator.salt("NBD_REQUEST");

    @Test
    void hostileNbdClientsLeaveTheGatewayAndOtherClientsAlone() throws Exception {
        FuzzSettings settings = FuzzSettings.fromSystemProperties(0x4E42_4446L, 3_000);
        Map<String, BlockDevice> devices = new ConcurrentHashMap<>();
        devices.put("demo", new ArrayDevice("demo", SIZE, false));
        devices.put("ro", new ArrayDevice("ro", 1024 * 1024, true));
        devices.put("good", new ArrayDevice("good", SIZE, false));
        List<String> failures = new ArrayList<>();
        Map<String, Long> outcomes = new HashMap<>();
        try (LogCapture log = LogCapture.start(100)) {
            NbdServer server =
                    new NbdServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), new NbdExports() {
                        @Override
                        public List<BlockDevice> list() {
                            return List.copyOf(devices.values());
                        }

                        @Override
                        public BlockDevice find(String name) {
                            return devices.get(name);
                        }
                    });
            ResourceSnapshot before = ResourceSnapshot.take();
            GoodNbd good = new GoodNbd(server.localAddress(), settings.seed());
            good.start();
            long started = System.nanoTime();
            int negotiations = settings.cases() / 10;
            for (long i = 0; i < negotiations; i++) {
                negotiation(server, settings, i, outcomes, failures);
            }
            transmission(server, settings, settings.cases() - negotiations, outcomes, failures);
            good.stop();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            log.println("NBD fuzz: " + settings.cases() + " cases in " + ms + " ms, seed " + settings.seed() + ": "
                    + outcomes + "; good client " + good);
            if (good.errors.get() > 0 || good.operations.get() == 0) {
                failures.add("the good NBD client suffered: " + good);
            }
            // the gateway still serves a fresh client
            try (NbdFuzzClient fresh = new NbdFuzzClient(server.localAddress(), 10_000)) {
                if (!fresh.open("demo")) {
                    failures.add("a fresh client cannot open an export");
                }
            }
            server.close();
            ResourceSnapshot after = ResourceSnapshot.take();
            for (int i = 0; i < 40 && !after.within(before, 32L << 20, 8); i++) {
                System.gc();
                Thread.sleep(250);
                after = ResourceSnapshot.take();
            }
            log.println("resources before " + before + ", after " + after + "; " + log.summary(10));
            if (!after.within(before, 32L << 20, 8)) {
                failures.add("resources grew: before " + before + ", after " + after);
            }
            if (log.errors() > 0 || log.traceLines() > 0) {
                failures.add("errors or stack traces in the log: " + log.traces());
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** One mutated handshake on a connection of its own: it must end in a reply, a refusal or a close. */
    private static void negotiation(
            NbdServer server, FuzzSettings settings, long index, Map<String, Long> outcomes, List<String> failures)
            throws IOException {
        Mutator m = Mutator.forCase(settings.seed(), NEGOTIATION_SALT, index);
        try (NbdFuzzClient c = new NbdFuzzClient(server.localAddress(), 5_000)) {
            int flags = m.chance(80) ? Nbd.CLIENT_FLAG_FIXED_NEWSTYLE | Nbd.CLIENT_FLAG_NO_ZEROES : (int) m.boundary(4);
            long magic = m.chance(90) ? Nbd.OPTION_MAGIC : m.nextLong();
            int option = m.chance(50) ? m.pickInt(1, 2, 3, 6, 7, 8, 9, 10, 11) : (int) m.boundary(4);
            byte[] data =
                    m.chance(50) ? NbdFuzzClient.go(m.pick("demo", "ro", "nope", "", "../x")) : m.bytes(m.nextInt(64));
            if (m.chance(30)) {
                data = m.mutate(data);
            }
            int declared = m.chance(85) ? data.length : (int) m.boundary(4);
            // a declared length within the gateway's limit is sent in full: the gateway rightly waits for it
            if (Integer.toUnsignedLong(declared) <= Nbd.MAX_OPTION_LENGTH) {
                data = Arrays.copyOf(data, declared);
            }
            c.greet(flags);
            c.option(magic, option, declared, data);
            String outcome;
            try {
                int type = c.finalReply();
                outcome = type == Nbd.REP_ACK ? "negotiated" : "option refused";
            } catch (IOException e) {
                outcome = "closed";
            }
            boolean mustClose = magic != Nbd.OPTION_MAGIC
                    || (flags & ~(Nbd.CLIENT_FLAG_FIXED_NEWSTYLE | Nbd.CLIENT_FLAG_NO_ZEROES)) != 0
                    || Integer.toUnsignedLong(declared) > Nbd.MAX_OPTION_LENGTH;
            if (mustClose && !outcome.equals("closed")) {
                failures.add("NBD negotiation case " + index + " (seed " + settings.seed() + "): " + outcome
                        + " where the connection must close");
            }
            outcomes.merge("negotiation " + outcome, 1L, Long::sum);
        } catch (IOException e) {
            outcomes.merge("negotiation closed early", 1L, Long::sum);
        }
    }

    /** Mutated requests, {@value #BATCH} at a time on one connection; a close ends the batch and a new one opens. */
    private static void transmission(
            NbdServer server, FuzzSettings settings, long cases, Map<String, Long> outcomes, List<String> failures)
            throws IOException {
        NbdFuzzClient c = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try {
            for (long first = 0; first < cases && System.nanoTime() < deadline; first += BATCH) {
                if (c == null) {
                    c = new NbdFuzzClient(server.localAddress(), 10_000);
                    if (!c.open("demo")) {
                        failures.add("the good export 'demo' cannot be opened");
                        return;
                    }
                }
                Map<Long, Integer> readLengths = new HashMap<>();
                Map<Long, Boolean> mustFail = new HashMap<>();
                boolean mustClose = false;
                long last = Math.min(cases, first + BATCH);
                for (long i = first; i < last && !mustClose; i++) {
                    Mutator m = Mutator.forCase(settings.seed(), REQUEST_SALT, i);
                    int magic = m.chance(97) ? Nbd.REQUEST_MAGIC : m.nextInt();
                    int type = m.chance(85) ? m.pickInt(0, 1, 3, 4, 5, 6, 7) : (int) m.boundary(2) & 0xFFFF;
                    int flags = m.chance(85) ? m.pickInt(0, Nbd.CMD_FLAG_FUA) : (int) m.boundary(2) & 0xFFFF;
                    long offset = m.chance(70) ? 4096L * m.nextInt(SIZE / 4096) : m.boundary(8);
                    int length = m.chance(70) ? 4096 * m.nextInt(0, 33) : (int) m.boundary(4);
                    if (type == Nbd.CMD_DISC) {
                        type = Nbd.CMD_FLUSH;
                    }
                    boolean write = type == Nbd.CMD_WRITE;
                    if (write && Integer.toUnsignedLong(length) > (1 << 20)) {
                        length = Integer.toUnsignedLong(length) > Nbd.MAX_REQUEST ? length : 1 << 20;
                    }
                    boolean oversizeWrite = write && Integer.toUnsignedLong(length) > Nbd.MAX_REQUEST;
                    byte[] payload = write && !oversizeWrite ? m.bytes(length) : null;
                    c.request(magic, flags, type, i, offset, length, payload);
                    if (magic != Nbd.REQUEST_MAGIC || oversizeWrite) {
                        mustClose = true;
                        continue;
                    }
                    boolean ranged = type == Nbd.CMD_READ
                            || write
                            || type == Nbd.CMD_TRIM
                            || type == Nbd.CMD_CACHE
                            || type == Nbd.CMD_WRITE_ZEROES;
                    boolean outside = offset < 0
                            || offset + Integer.toUnsignedLong(length) > SIZE
                            || offset % 512 != 0
                            || Integer.toUnsignedLong(length) % 512 != 0;
                    // BLOCK_STATUS too: simple replies select no metadata context
                    boolean unknown = type != Nbd.CMD_READ
                            && !write
                            && type != Nbd.CMD_FLUSH
                            && type != Nbd.CMD_TRIM
                            && type != Nbd.CMD_CACHE
                            && type != Nbd.CMD_WRITE_ZEROES;
                    mustFail.put(i, unknown || ranged && outside);
                    if (type == Nbd.CMD_READ) {
                        readLengths.put(i, length);
                    }
                }
                c.flush();
                String outcome = replies(c, mustFail, readLengths, settings, failures, first);
                outcomes.merge(outcome, 1L, Long::sum);
                if (mustClose) {
                    outcomes.merge(c.closedByPeer() ? "closed as due" : "not closed", 1L, Long::sum);
                }
                if (mustClose || !outcome.equals("answered")) {
                    c.close();
                    c = null;
                }
            }
        } finally {
            if (c != null) {
                c.close();
            }
        }
    }

    private static String replies(
            NbdFuzzClient c,
            Map<Long, Boolean> mustFail,
            Map<Long, Integer> readLengths,
            FuzzSettings settings,
            List<String> failures,
            long first) {
        try {
            for (int n = 0; n < mustFail.size(); n++) {
                long[] r = c.reply();
                long handle = r[1];
                Boolean fail = mustFail.get(handle);
                if (fail == null) {
                    failures.add("NBD reply for unknown handle " + handle);
                    return "stray";
                }
                if (fail && r[0] == 0) {
                    failures.add(
                            "NBD request case " + handle + " (seed " + settings.seed() + ") succeeded though invalid");
                }
                Integer read = readLengths.get(handle);
                if (read != null && r[0] == 0) {
                    c.in.skipNBytes(Integer.toUnsignedLong(read));
                }
            }
            return "answered";
        } catch (IOException e) {
            return "closed at batch " + (first / BATCH == 0 ? "0" : "n");
        }
    }

    /** A client that speaks NBD correctly and checks what it reads back. */
    private static final class GoodNbd {
        private final InetSocketAddress server;
        private final SplittableRandom random;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread = new Thread(this::run, "good-nbd");
        final AtomicLong operations = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        volatile String problem;

        GoodNbd(InetSocketAddress server, long seed) {
            this.server = server;
            this.random = new SplittableRandom(seed);
        }

        void start() {
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }

        private void run() {
            try (NbdFuzzClient c = new NbdFuzzClient(server, 20_000)) {
                if (!c.open("good")) {
                    fail("cannot open 'good'");
                    return;
                }
                long handle = 0;
                while (!stop.get()) {
                    int length = 4096 * random.nextInt(1, 33);
                    long offset = 4096L * random.nextInt((SIZE - length) / 4096);
                    byte[] data = new byte[length];
                    random.nextBytes(data);
                    c.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_WRITE, ++handle, offset, length, data);
                    c.flush();
                    long[] w = c.reply();
                    c.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, ++handle, offset, length, null);
                    c.flush();
                    long[] r = c.reply();
                    byte[] back = new byte[length];
                    if (r[0] == 0) {
                        c.in.readFully(back);
                    }
                    if (w[0] != 0 || r[0] != 0 || !Arrays.equals(data, back)) {
                        fail("write/read at " + offset + ": errors " + w[0] + "/" + r[0]);
                        return;
                    }
                    operations.incrementAndGet();
                }
            } catch (IOException e) {
                fail(e.toString());
            }
        }

        private void fail(String what) {
            errors.incrementAndGet();
            problem = what;
        }

        @Override
        public String toString() {
            return operations.get() + " write-verify operations, " + errors.get() + " errors"
                    + (problem == null ? "" : " (" + problem + ")");
        }
    }
}
