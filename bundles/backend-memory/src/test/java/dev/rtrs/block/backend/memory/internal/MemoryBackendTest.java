package dev.rtrs.block.backend.memory.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.BlockCompletion;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.BlockStatusReceiver;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.errno.Errno;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class MemoryBackendTest {

    private static ExportSpec spec(String size) {
        return new ExportSpec("mem", Map.of("size", size), false);
    }

    /** Completes synchronously: the memory device completes before the call returns. */
    private static final class Result implements BlockCompletion {
        int errno = -1;
        int calls;

        @Override
        public void complete(int e) {
            errno = e;
            calls++;
        }
    }

    @Test
    void registersAsTheMemoryBackend() {
        assertEquals("rnbd.backend", BlockBackend.TYPE);
        assertEquals("memory", new MemoryBackend(MemoryConfigs.capacity("0")).type());
    }

    @Test
    void sizeTakesSuffixesAndTheDeviceHasNoWriteCache() throws Exception {
        MemoryBackend backend = new MemoryBackend(MemoryConfigs.capacity("0"));
        try (BlockDevice d = backend.open(spec("64K"));
                BlockDevice m = backend.open(spec("1m"))) {
            assertEquals(64 * 1024, d.size());
            assertEquals(1 << 20, m.size());
            assertEquals(512, d.logicalBlockSize());
            assertEquals(4096, d.physicalBlockSize());
            assertFalse(d.hasWriteCache());
            assertTrue(d.supportsDiscard() && d.supportsWriteZeroes());
        }
        backend.deactivate();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1000", "12Q", "-4096", "2.5M"})
    void sizesThatAreNotPositiveWholeBlocksAreRefused(String size) {
        MemoryBackend backend = new MemoryBackend(MemoryConfigs.capacity("0"));
        BlockException e = assertThrows(BlockException.class, () -> backend.open(spec(size)));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(0, backend.used());
    }

    @Test
    void ioCrossingSlabBoundariesLandsInTheRightPlace() throws Exception {
        // 4 KiB slabs, 3.125 slabs: the last one partial
        MemoryBackend backend = new MemoryBackend(MemoryConfigs.capacity("0"), 12);
        MemoryDevice d = (MemoryDevice) backend.open(spec(Integer.toString(3 * 4096 + 512)));
        assertEquals(4, d.slabCount());
        byte[] model = new byte[3 * 4096 + 512];
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            int blocks = 1 + random.nextInt(model.length / 512);
            int offset = random.nextInt(model.length / 512 - blocks + 1) * 512;
            Result r = new Result();
            if (i % 5 == 4) {
                d.writeZeroes(offset, blocks * 512L, r);
                Arrays.fill(model, offset, offset + blocks * 512, (byte) 0);
            } else {
                byte[] data = new byte[blocks * 512];
                random.nextBytes(data);
                d.write(offset, ByteBuffer.wrap(data), 0, r);
                System.arraycopy(data, 0, model, offset, data.length);
            }
            assertEquals(0, r.errno);
            ByteBuffer all = ByteBuffer.allocate(model.length);
            Result read = new Result();
            d.read(0, all, read);
            assertEquals(0, read.errno);
            assertArrayEquals(model, all.array(), "after operation " + i);
        }
        backend.deactivate();
    }

    @Test
    void capacityLimitsTheMemoryOfAllExportsTogether() throws Exception {
        MemoryBackend backend = new MemoryBackend(MemoryConfigs.capacity("128K"));
        BlockDevice a = backend.open(spec("64K"));
        BlockDevice b = backend.open(spec("64K"));
        assertEquals(128 * 1024, backend.used());
        BlockException full = assertThrows(BlockException.class, () -> backend.open(spec("4K")));
        assertEquals(Errno.ENOMEM, full.errno());
        a.close();
        assertEquals(64 * 1024, backend.used());
        BlockDevice c = backend.open(spec("64K"));
        backend.modified(MemoryConfigs.capacity("1M"));
        BlockDevice d = backend.open(spec("512K"));
        backend.modified(MemoryConfigs.capacity("not a size"));
        assertThrows(BlockException.class, () -> backend.open(spec("512K")), "a bad value keeps the previous limit");
        backend.deactivate();
        assertEquals(0, backend.used(), "deactivation released everything");
        assertEquals(Errno.EIO, read(b));
        assertEquals(Errno.EIO, read(c));
        assertEquals(Errno.EIO, read(d));
        assertEquals(
                Errno.ENODEV,
                assertThrows(BlockException.class, () -> backend.open(spec("4K")))
                        .errno());
    }

    @Test
    void aRequestTooLargeForDirectMemoryFailsWithEnomem() {
        // the build runs tests with -XX:MaxDirectMemorySize=256m; without a limit this would allocate gigabytes
        assumeTrue(
                ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                        .anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize=")),
                "direct memory is not limited");
        MemoryBackend backend = new MemoryBackend(MemoryConfigs.capacity("0"));
        BlockException e = assertThrows(BlockException.class, () -> backend.open(spec("2G")));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(0, backend.used());
        backend.deactivate();
    }

    @Test
    void readsAndWritesAllocateNothing() throws Exception {
        MemoryBackend backend = new MemoryBackend(MemoryConfigs.capacity("0"));
        BlockDevice d = backend.open(spec("1M"));
        ByteBuffer heap = ByteBuffer.allocate(4096);
        ByteBuffer direct = ByteBuffer.allocateDirect(4096);
        Result r = new Result();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int warmup = 0; warmup < 2; warmup++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 50_000; i++) {
                long offset = (i * 4096L) & ((1 << 20) - 1);
                d.write(offset, direct, BlockDevice.FUA, r);
                d.read(offset, heap, r);
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            // 100,000 operations: any per-operation allocation would show as megabytes
            assertTrue(warmup == 0 || allocated < 64 * 1024, "allocated " + allocated + " bytes");
        }
        assertEquals(0, r.errno);
        assertEquals(200_000, r.calls);
        backend.deactivate();
    }

    /** Extents as "length:hole" or "length:data"; stops after {@code max} extents. */
    private static List<String> status(BlockDevice d, long offset, long length, int max) {
        List<String> extents = new ArrayList<>();
        Result done = new Result();
        d.blockStatus(offset, length, new BlockStatusReceiver() {
            @Override
            public boolean extent(long n, int flags) {
                assertTrue(flags == 0 || flags == (HOLE | ZERO), "flags " + flags);
                extents.add(n + (flags == 0 ? ":data" : ":hole"));
                return extents.size() < max;
            }

            @Override
            public void complete(int errno) {
                done.complete(errno);
            }
        });
        assertEquals(1, done.calls);
        assertEquals(0, done.errno);
        return extents;
    }

    private static List<String> status(BlockDevice d) {
        return status(d, 0, d.size(), Integer.MAX_VALUE);
    }

    private static void write(BlockDevice d, long offset, int length) {
        byte[] data = new byte[length];
        Arrays.fill(data, (byte) 0x5A);
        Result r = new Result();
        d.write(offset, ByteBuffer.wrap(data), 0, r);
        assertEquals(0, r.errno);
    }

    private static byte[] readAll(BlockDevice d) {
        ByteBuffer all = ByteBuffer.allocate((int) d.size());
        Result r = new Result();
        d.read(0, all, r);
        assertEquals(0, r.errno);
        return all.array();
    }

    @Test
    void neverWrittenAndZeroedGranulesAreHolesThatReadAsZeroes() throws Exception {
        // 1 MiB in 16 KiB slabs, 4 KiB granules
        MemoryBackend backend = new MemoryBackend(MemoryConfigs.capacity("0"), 14);
        MemoryDevice d = (MemoryDevice) backend.open(spec("1M"));
        assertEquals(List.of("1048576:hole"), status(d), "new memory is one hole");

        write(d, 8192, 512); // one sector: its whole granule holds data
        write(d, 64 * 1024, 40 * 1024); // across slabs
        assertEquals(List.of("8192:hole", "4096:data", "53248:hole", "40960:data", "942080:hole"), status(d));
        assertEquals(List.of("4096:hole", "4096:data"), status(d, 4096, 8192, 10), "a range inside the device");
        assertEquals(List.of("512:data"), status(d, 8192 + 1024, 512, 10), "a range inside one granule");
        assertEquals(List.of("8192:hole"), status(d, 0, d.size(), 1), "the receiver stops it");

        Result r = new Result();
        d.discard(64 * 1024 + 4096, 8192, r); // two whole granules in the middle of the data
        assertEquals(0, r.errno);
        d.writeZeroes(96 * 1024 + 512, 1024, r); // part of a granule: zeroed, still data
        assertEquals(0, r.errno);
        assertEquals(
                List.of("8192:hole", "4096:data", "53248:hole", "4096:data", "8192:hole", "28672:data", "942080:hole"),
                status(d));
        assertFalse(d.isAllocated(64 * 1024 + 4096));
        assertTrue(d.isAllocated(96 * 1024));
        byte[] expected = new byte[1 << 20];
        Arrays.fill(expected, 8192, 8192 + 512, (byte) 0x5A);
        Arrays.fill(expected, 64 * 1024, 104 * 1024, (byte) 0x5A);
        Arrays.fill(expected, 68 * 1024, 76 * 1024, (byte) 0);
        Arrays.fill(expected, 96 * 1024 + 512, 96 * 1024 + 1536, (byte) 0);
        assertArrayEquals(expected, readAll(d), "holes read as zeroes, data around them stays");

        d.writeZeroes(0, d.size(), r);
        assertEquals(0, r.errno);
        assertEquals(List.of("1048576:hole"), status(d), "zeroing everything leaves one hole");
        assertArrayEquals(new byte[1 << 20], readAll(d));
        backend.deactivate();
    }

    @Test
    void aLastGranuleCutShortByTheSizeBecomesAHoleToo() throws Exception {
        MemoryBackend backend = new MemoryBackend(MemoryConfigs.capacity("0"), 12);
        MemoryDevice d = (MemoryDevice) backend.open(spec(Integer.toString(2 * 4096 + 512)));
        write(d, 0, 2 * 4096 + 512);
        assertEquals(List.of("8704:data"), status(d));
        Result r = new Result();
        d.discard(4096, 4096 + 512, r);
        assertEquals(0, r.errno);
        assertEquals(List.of("4096:data", "4608:hole"), status(d));
        byte[] expected = new byte[2 * 4096 + 512];
        Arrays.fill(expected, 0, 4096, (byte) 0x5A);
        assertArrayEquals(expected, readAll(d));
        d.close();
        Result closed = new Result();
        d.blockStatus(0, 512, new BlockStatusReceiver() {
            @Override
            public boolean extent(long length, int flags) {
                throw new AssertionError("no extent from a closed device");
            }

            @Override
            public void complete(int errno) {
                closed.complete(errno);
            }
        });
        assertEquals(Errno.EIO, closed.errno);
        backend.deactivate();
    }

    private static int read(BlockDevice d) {
        Result r = new Result();
        d.read(0, ByteBuffer.allocate(512), r);
        return r.errno;
    }
}
