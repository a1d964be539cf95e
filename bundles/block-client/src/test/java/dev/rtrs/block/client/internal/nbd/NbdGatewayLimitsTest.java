package dev.rtrs.block.client.internal.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.backend.AbstractBlockDevice;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The gateway's limits (negotiation timeout, connections, flags, request length, buffers) and its allocations. */
@Timeout(120)
class NbdGatewayLimitsTest {

    private static final int SIZE = 8 * 1024 * 1024;
    private static final long MIB = 1 << 20;

    private final Map<String, BlockDevice> devices = new ConcurrentHashMap<>();
    private NbdServer server;

    private NbdServer start(NbdServer.Options options) throws Exception {
        devices.putIfAbsent("demo", new ArrayDevice("demo", SIZE, false));
        server = new NbdServer(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                new NbdExports() {
                    @Override
                    public List<BlockDevice> list() {
                        return List.copyOf(devices.values());
                    }

                    @Override
                    public BlockDevice find(String name) {
                        return devices.get(name);
                    }
                },
                options);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private NbdFuzzClient client(int timeoutMs) throws IOException {
        return new NbdFuzzClient(server.localAddress(), timeoutMs);
    }

    @Test
    void aClientThatDoesNotNegotiateIsClosedAfterTheTimeout() throws Exception {
        start(new NbdServer.Options(8, Duration.ofMillis(300), 32 * MIB));
        try (NbdFuzzClient c = client(10_000)) {
            long started = System.nanoTime();
            c.in.skipNBytes(18); // the greeting comes, then nothing from us
            assertTrue(c.closedByPeer(), "closed after the negotiation timeout");
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertTrue(ms >= 250 && ms < 5_000, "closed after " + ms + " ms");
        }
        try (NbdFuzzClient c = client(10_000)) {
            assertTrue(c.open("demo"), "a client that negotiates in time is served");
            Thread.sleep(600);
            c.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_FLUSH, 1, 0, 0, null);
            c.flush();
            assertArrayEquals(new long[] {0, 1}, c.reply(), "the timeout ends with the negotiation");
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
        start(new NbdServer.Options(2, Duration.ofSeconds(10), 32 * MIB));
        try (NbdFuzzClient a = client(10_000);
                NbdFuzzClient b = client(10_000)) {
            assertTrue(a.open("demo"));
            assertTrue(b.open("demo"));
            try (NbdFuzzClient third = client(10_000)) {
                long started = System.nanoTime();
                assertTrue(third.closedByPeer(), "the third connection is closed");
                assertTrue(System.nanoTime() - started < 5_000_000_000L);
            }
            assertEquals(2, server.connectionCount());
        }
        for (int i = 0; i < 100 && server.connectionCount() > 0; i++) {
            Thread.sleep(20);
        }
        try (NbdFuzzClient again = client(10_000)) {
            assertTrue(again.open("demo"), "room again once the others left");
        }
    }

    @Test
    void unknownFlagsAndOversizedRequestsAreRefusedWithEinval() throws Exception {
        start(NbdServer.Options.defaults());
        try (NbdFuzzClient c = client(10_000)) {
            assertTrue(c.open("demo"));
            byte[] data = new byte[4096];
            data[7] = 7;
            // DF needs structured replies; NO_HOLE is for WRITE_ZEROES only; bit 15 means nothing
            c.request(Nbd.REQUEST_MAGIC, 1 << 2, Nbd.CMD_READ, 1, 0, 4096, null);
            c.request(Nbd.REQUEST_MAGIC, Nbd.CMD_FLAG_NO_HOLE, Nbd.CMD_WRITE, 2, 0, 4096, data);
            c.request(Nbd.REQUEST_MAGIC, 1 << 15, Nbd.CMD_FLUSH, 3, 0, 0, null);
            c.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, 4, 0, Nbd.MAX_REQUEST + 4096, null);
            // valid: FUA on any command, NO_HOLE on WRITE_ZEROES
            c.request(Nbd.REQUEST_MAGIC, Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE, 5, 8192, 4096, data);
            c.request(
                    Nbd.REQUEST_MAGIC, Nbd.CMD_FLAG_NO_HOLE | Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE_ZEROES, 6, 0, 4096, null);
            c.request(Nbd.REQUEST_MAGIC, Nbd.CMD_FLAG_FUA, Nbd.CMD_READ, 7, 8192, 4096, null);
            c.flush();
            for (long handle = 1; handle <= 7; handle++) {
                long[] r = c.reply();
                assertEquals(handle, r[1], "replies in order with an inline device");
                assertEquals(handle <= 4 ? Nbd.EINVAL : 0, r[0], "error of request " + handle);
            }
            byte[] back = new byte[4096];
            c.in.readFully(back);
            assertArrayEquals(data, back, "the refused write's payload was skipped, not taken for a request");
            // a write above the maximum block size cannot be skipped: the connection closes
            c.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_WRITE, 8, 0, Nbd.MAX_REQUEST + 4096, null);
            c.flush();
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void buffersStayWithinTheBudgetAndTheClientWaits() throws Exception {
        HeldDevice held = new HeldDevice();
        devices.put("held", held);
        start(new NbdServer.Options(8, Duration.ofSeconds(10), 32 * MIB));
        int requests = 48;
        try (NbdFuzzClient c = client(30_000)) {
            assertTrue(c.open("held"));
            for (int i = 0; i < requests; i++) {
                c.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, i, i * MIB, (int) MIB, null);
            }
            c.flush();
            for (int i = 0; i < 200 && held.waiting.size() < 32; i++) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
            assertEquals(32, held.waiting.size(), "32 MiB of 1 MiB reads in flight, the rest not read yet");
            assertTrue(server.bufferBytes() <= 32 * MIB, server.bufferBytes() + " bytes of buffers");
            Thread completer = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    held.completeAll();
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            completer.start();
            try {
                byte[] back = new byte[(int) MIB];
                for (int i = 0; i < requests; i++) {
                    long[] r = c.reply();
                    assertEquals(0, r[0]);
                    c.in.readFully(back);
                    assertEquals((byte) r[1], back[0], "the data of request " + r[1]);
                }
            } finally {
                completer.interrupt();
                completer.join();
            }
            assertTrue(server.bufferBytes() <= 32 * MIB, server.bufferBytes() + " bytes of buffers");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void steadyStateRequestsAllocateNothingOnTheConnectionThread(boolean structured) throws Exception {
        start(NbdServer.Options.defaults());
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (NbdFuzzClient c = client(10_000)) {
            if (structured) {
                c.greet(Nbd.CLIENT_FLAG_FIXED_NEWSTYLE | Nbd.CLIENT_FLAG_NO_ZEROES);
                c.option(Nbd.OPTION_MAGIC, Nbd.OPT_STRUCTURED_REPLY, 0, new byte[0]);
                assertEquals(Nbd.REP_ACK, c.finalReply());
                byte[] go = NbdFuzzClient.go("demo");
                c.option(Nbd.OPTION_MAGIC, Nbd.OPT_GO, go.length, go);
                assertEquals(Nbd.REP_ACK, c.finalReply());
            } else {
                assertTrue(c.open("demo"));
            }
            String name = "nbd-client-/127.0.0.1:" + c.socket.getLocalPort();
            Thread reader = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(name))
                    .findFirst()
                    .orElseThrow();
            byte[] data = new byte[4096];
            // data that is not zero: a structured READ of zeroes would answer with a hole
            Arrays.fill(data, 0, 2048, (byte) 1);
            byte[] back = new byte[4096];
            rounds(c, 2_000, data, back, structured); // warm-up: pools filled, code compiled
            long before = threads.getThreadAllocatedBytes(reader.getId());
            int rounds = 5_000;
            rounds(c, rounds, data, back, structured);
            long bytes = threads.getThreadAllocatedBytes(reader.getId()) - before;
            double perRequest = bytes / (rounds * 16.0);
            System.out.printf(
                    "NBD gateway (%s replies): %d bytes allocated for %d requests (%.3f per request)%n",
                    structured ? "structured" : "simple", bytes, rounds * 16, perRequest);
            // measured 0; the margin covers a rare growth of a JDK-internal per-thread cache
            assertTrue(perRequest < 1.0, bytes + " bytes for " + rounds * 16 + " requests");
        }
    }

    /** {@code n} rounds of 8 WRITEs and 8 READs of 4 KiB, pipelined; structured replies are one chunk each. */
    private static void rounds(NbdFuzzClient c, int n, byte[] data, byte[] back, boolean structured)
            throws IOException {
        long handle = 0;
        for (int round = 0; round < n; round++) {
            for (int i = 0; i < 8; i++) {
                c.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_WRITE, ++handle, 4096L * i, 4096, data);
                c.request(Nbd.REQUEST_MAGIC, 0, Nbd.CMD_READ, ++handle, 4096L * i, 4096, null);
            }
            c.flush();
            for (int i = 0; i < 16; i++) {
                long cookie;
                if (structured) {
                    int magic = c.in.readInt();
                    int flagsAndType = c.in.readInt();
                    cookie = c.in.readLong();
                    int length = c.in.readInt();
                    int type = flagsAndType & 0xFFFF;
                    if (magic != Nbd.STRUCTURED_REPLY_MAGIC || (type != Nbd.REPLY_TYPE_NONE && length != 8 + 4096)) {
                        throw new IOException("request " + cookie + ": chunk type " + type + " of " + length);
                    }
                    if (type == Nbd.REPLY_TYPE_OFFSET_DATA) {
                        c.in.readLong();
                        c.in.readFully(back);
                    }
                } else {
                    long[] r = c.reply();
                    if (r[0] != 0) {
                        throw new IOException("request " + r[1] + " failed: " + r[0]);
                    }
                    cookie = r[1];
                    if (cookie % 2 == 0) {
                        c.in.readFully(back);
                    }
                }
                if (cookie % 2 == 0 && !Arrays.equals(data, back)) {
                    throw new IOException("request " + cookie + " read other data");
                }
            }
        }
    }

    /** A device whose reads wait for {@link #completeAll()}; each read's data starts with the MiB it reads. */
    private static final class HeldDevice extends AbstractBlockDevice {
        final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

        HeldDevice() {
            super("held", 64 * MIB, 512, 4096, false);
        }

        void completeAll() {
            List<Runnable> now = new ArrayList<>();
            Runnable r;
            while ((r = waiting.poll()) != null) {
                now.add(r);
            }
            now.forEach(Runnable::run);
        }

        @Override
        protected void doRead(long offset, ByteBuffer dst, BlockCompletion done) {
            waiting.add(() -> {
                dst.put(dst.position(), (byte) (offset / MIB));
                done.complete(0);
            });
        }

        @Override
        protected void doWrite(long offset, ByteBuffer src, boolean fua, BlockCompletion done) {
            done.complete(0);
        }

        @Override
        protected void doFlush(BlockCompletion done) {
            done.complete(0);
        }

        @Override
        protected void doDiscard(long offset, long length, BlockCompletion done) {
            done.complete(0);
        }

        @Override
        protected void doWriteZeroes(long offset, long length, BlockCompletion done) {
            done.complete(0);
        }

        @Override
        public boolean hasWriteCache() {
            return false;
        }

        @Override
        public boolean supportsFua() {
            return true;
        }

        @Override
        public boolean supportsDiscard() {
            return false;
        }

        @Override
        public boolean supportsWriteZeroes() {
            return false;
        }

        @Override
        protected void doClose() {}
    }
}
