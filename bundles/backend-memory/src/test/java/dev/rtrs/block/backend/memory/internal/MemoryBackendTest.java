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
import dev.rtrs.block.ExportSpec;
import dev.rtrs.errno.Errno;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
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

    private static int read(BlockDevice d) {
        Result r = new Result();
        d.read(0, ByteBuffer.allocate(512), r);
        return r.errno;
    }
}
