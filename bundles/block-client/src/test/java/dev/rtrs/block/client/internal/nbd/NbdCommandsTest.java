package dev.rtrs.block.client.internal.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.backend.AbstractBlockDevice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The commands beyond READ and WRITE with simple replies: FUA only where advertised, CACHE, write-zeroes and
 * FAST_ZERO for devices that zero by themselves and for those that do not, and zero-length requests.
 */
@Timeout(60)
class NbdCommandsTest {

    private static final int SIZE = 8 * 1024 * 1024;

    /** Zeroes natively, FUA natively. */
    private ArrayDevice demo;
    /** Neither: the gateway writes its zeroes, and FUA is not offered. */
    private ArrayDevice plain;

    /** As plain, completing on a thread of its own. */
    private LaterDevice later;

    private NbdServer server;

    @BeforeEach
    void start() throws Exception {
        demo = new ArrayDevice("demo", SIZE, false);
        plain = new ArrayDevice("plain", SIZE, false, false, false);
        later = new LaterDevice(new ArrayDevice("later", SIZE, false, false, false));
        server = new NbdServer(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0),
                new MapExports(demo, plain, later, new ArrayDevice("ro", 1024 * 1024, true)));
    }

    @AfterEach
    void stop() {
        server.close();
        later.close();
    }

    @Test
    void fuaIsOfferedOnlyWhereTheDeviceHonoursIt() throws Exception {
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            assertTrue((c.go("demo") & Nbd.TX_SEND_FUA) != 0);
            c.request(Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE, 1, 0, 512, new byte[512]);
            assertEquals(0, c.simpleReply(1));
        }
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            int flags = c.go("plain");
            assertEquals(0, flags & Nbd.TX_SEND_FUA);
            c.request(Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE, 1, 0, 512, new byte[512]);
            assertEquals(Nbd.EINVAL, c.simpleReply(1), "FUA was not offered");
            c.request(0, Nbd.CMD_WRITE, 2, 0, 512, new byte[512]);
            assertEquals(0, c.simpleReply(2), "the refused write's payload was skipped");
        }
    }

    @Test
    void cacheIsAHintAnsweredWithSuccess() throws Exception {
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            assertTrue((c.go("demo") & Nbd.TX_SEND_CACHE) != 0);
            c.request(0, Nbd.CMD_CACHE, 1, 4096, 1 << 20, null);
            assertEquals(0, c.simpleReply(1));
            c.request(0, Nbd.CMD_CACHE, 2, SIZE - 4096, 8192, null);
            assertEquals(Nbd.EINVAL, c.simpleReply(2), "past the end");
            c.request(Nbd.CMD_FLAG_NO_HOLE, Nbd.CMD_CACHE, 3, 0, 4096, null);
            assertEquals(Nbd.EINVAL, c.simpleReply(3), "a flag CACHE does not know");
        }
    }

    @Test
    void fastZeroIsRefusedWhereTheDeviceCannotZeroAndTheGatewayZeroesForIt() throws Exception {
        Arrays.fill(plain.data, (byte) 9);
        Arrays.fill(demo.data, (byte) 9);
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            int flags = c.go("plain");
            assertTrue((flags & Nbd.TX_SEND_WRITE_ZEROES) != 0 && (flags & Nbd.TX_SEND_FAST_ZERO) != 0);
            c.request(Nbd.CMD_FLAG_FAST_ZERO, Nbd.CMD_WRITE_ZEROES, 1, 0, 1 << 20, null);
            assertEquals(Nbd.ENOTSUP, c.simpleReply(1), "not faster than a write: refused at once");
            assertEquals(9, plain.data[0], "and nothing changed");
            // several of the gateway's writes, the last one short, on a device that completes inline
            int length = 3 * NbdRequest.ZERO_WRITE + 4096;
            c.request(Nbd.CMD_FLAG_NO_HOLE, Nbd.CMD_WRITE_ZEROES, 2, 4096, length, null);
            assertEquals(0, c.simpleReply(2));
            byte[] expected = new byte[SIZE];
            Arrays.fill(expected, (byte) 9);
            Arrays.fill(expected, 4096, 4096 + length, (byte) 0);
            assertArrayEquals(expected, plain.data);
        }
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            c.go("demo");
            c.request(Nbd.CMD_FLAG_FAST_ZERO | Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE_ZEROES, 1, 0, 1 << 20, null);
            assertEquals(0, c.simpleReply(1), "the device zeroes by itself: fast");
            assertEquals(0, demo.data[(1 << 20) - 1]);
            assertEquals(9, demo.data[1 << 20]);
        }
    }

    @Test
    void theGatewayZeroesForADeviceThatCompletesOnAnotherThread() throws Exception {
        Arrays.fill(later.inner.data, (byte) 9);
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            c.go("later");
            int length = 2 * NbdRequest.ZERO_WRITE - 512; // two writes each, four requests at once
            for (int i = 0; i < 4; i++) {
                c.request(0, Nbd.CMD_WRITE_ZEROES, i, (long) i * length, length, null);
            }
            Set<Long> answered = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                assertEquals(Nbd.SIMPLE_REPLY_MAGIC, c.in.readInt());
                assertEquals(0, c.in.readInt());
                answered.add(c.in.readLong()); // in any order: they run at the same time
            }
            assertEquals(Set.of(0L, 1L, 2L, 3L), answered);
            byte[] expected = new byte[SIZE];
            Arrays.fill(expected, (byte) 9);
            Arrays.fill(expected, 0, 4 * length, (byte) 0);
            assertArrayEquals(expected, later.inner.data);
        }
    }

    @Test
    void zeroLengthRequestsAreAnsweredAndTheStreamGoesOn() throws Exception {
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            c.go("demo");
            int[] types = {Nbd.CMD_READ, Nbd.CMD_WRITE, Nbd.CMD_TRIM, Nbd.CMD_WRITE_ZEROES, Nbd.CMD_CACHE};
            for (int i = 0; i < types.length; i++) {
                c.request(0, types[i], i, 4096, 0, null);
                assertEquals(0, c.simpleReply(i), "command " + types[i] + " of no bytes succeeds, and has no data");
            }
            c.request(0, Nbd.CMD_READ, 10, SIZE, 0, null);
            assertEquals(0, c.simpleReply(10), "nothing at the very end");
            c.request(0, Nbd.CMD_READ, 11, SIZE + 512, 0, null);
            assertEquals(Nbd.EINVAL, c.simpleReply(11), "but not past it");
            c.request(0, Nbd.CMD_READ, 12, 0, 512, null);
            assertEquals(0, c.simpleReply(12));
            c.in.readFully(new byte[512]);
        }
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            c.go("ro");
            c.request(0, Nbd.CMD_WRITE, 1, 0, 0, null);
            assertEquals(Nbd.EPERM, c.simpleReply(1), "read-only even for nothing");
        }
    }

    @Test
    void writesPastTheEndAreEnospcAndTrimsEinval() throws Exception {
        try (NbdWireClient c = new NbdWireClient(server.localAddress())) {
            c.go("demo");
            c.request(0, Nbd.CMD_WRITE, 1, SIZE - 512, 1024, new byte[1024]);
            assertEquals(Nbd.ENOSPC, c.simpleReply(1));
            c.request(0, Nbd.CMD_WRITE_ZEROES, 2, SIZE, 512, null);
            assertEquals(Nbd.ENOSPC, c.simpleReply(2));
            c.request(0, Nbd.CMD_TRIM, 3, SIZE, 512, null);
            assertEquals(Nbd.EINVAL, c.simpleReply(3));
        }
    }

    /** A device that hands every operation to an {@link ArrayDevice} on a thread of its own. */
    private static final class LaterDevice extends AbstractBlockDevice {
        final ArrayDevice inner;
        private final ExecutorService thread = Executors.newSingleThreadExecutor();

        LaterDevice(ArrayDevice inner) {
            super(inner.name(), inner.size(), inner.logicalBlockSize(), inner.physicalBlockSize(), false);
            this.inner = inner;
        }

        @Override
        protected void doRead(long offset, ByteBuffer dst, BlockCompletion done) {
            thread.execute(() -> inner.read(offset, dst, done));
        }

        @Override
        protected void doWrite(long offset, ByteBuffer src, boolean fua, BlockCompletion done) {
            thread.execute(() -> inner.write(offset, src, 0, done));
        }

        @Override
        protected void doFlush(BlockCompletion done) {
            thread.execute(() -> done.complete(0));
        }

        @Override
        protected void doDiscard(long offset, long length, BlockCompletion done) {
            thread.execute(() -> inner.discard(offset, length, done));
        }

        @Override
        protected void doWriteZeroes(long offset, long length, BlockCompletion done) {
            throw new AssertionError("not supported, never called");
        }

        @Override
        public boolean hasWriteCache() {
            return false;
        }

        @Override
        public boolean supportsFua() {
            return false;
        }

        @Override
        public boolean supportsDiscard() {
            return true;
        }

        @Override
        public boolean supportsWriteZeroes() {
            return false;
        }

        @Override
        protected void doClose() {
            thread.shutdownNow();
        }
    }
}
