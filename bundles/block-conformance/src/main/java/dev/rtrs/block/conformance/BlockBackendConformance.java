package dev.rtrs.block.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rtrs.block.BlockBackend;
import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.BlockStatusReceiver;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.errno.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link BlockBackend} and {@link BlockDevice} contract, written once and run against every backend: extend
 * it, say how to create and stop the backend and how to describe new storage. The devices a test opens, and the
 * backend, are closed after it; every completion must have been called exactly once by then.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class BlockBackendConformance {

    protected static final int KIB = 1024;
    protected static final int MIB = 1024 * KIB;

    private final List<BlockDevice> devices = new ArrayList<>();
    private final List<Completion> completions = new ArrayList<>();
    private BlockBackend backend;
    private boolean stopped;

    /** A new backend, as Declarative Services would activate it. */
    protected abstract BlockBackend createBackend() throws Exception;

    /** What Declarative Services does when the backend's bundle goes away (deactivation). */
    protected abstract void stopBackend(BlockBackend backend) throws Exception;

    /**
     * Parameters of new storage of {@code size} bytes that reads as zeroes and may be opened read-write or
     * read-only, with {@code logical_block_size} set.
     */
    protected abstract Map<String, String> newStorage(String name, long size, int logicalBlockSize) throws Exception;

    /** Whether discarded ranges read back as zeroes; the contract also allows old data. */
    protected boolean discardZeroesData() {
        return true;
    }

    @BeforeEach
    final void startBackend() throws Exception {
        backend = createBackend();
    }

    @AfterEach
    final void closeEverything() throws Exception {
        for (BlockDevice d : devices) {
            d.close();
        }
        if (!stopped) {
            stopBackend(backend);
        }
        synchronized (completions) {
            for (Completion c : completions) {
                assertEquals(1, c.calls(), "a completion was called " + c.calls() + " times");
            }
        }
    }

    protected final BlockBackend backend() {
        return backend;
    }

    /** Opens new storage through the backend; closed after the test. */
    protected final BlockDevice open(String name, long size, int logicalBlockSize, boolean readOnly) throws Exception {
        BlockDevice d = backend.open(new ExportSpec(name, newStorage(name, size, logicalBlockSize), readOnly));
        devices.add(d);
        return d;
    }

    // ---- the contract ----

    @Test
    void opensWithTheRequestedGeometry() throws Exception {
        BlockDevice d = open("geometry", MIB, 4096, false);
        assertEquals("geometry", d.name());
        assertEquals(MIB, d.size());
        assertEquals(4096, d.logicalBlockSize());
        assertTrue(d.physicalBlockSize() >= 4096 && Integer.bitCount(d.physicalBlockSize()) == 1);
        assertFalse(d.isReadOnly());
    }

    @Test
    void logicalBlockSizeDefaultsTo512() throws Exception {
        Map<String, String> p = new HashMap<>(newStorage("default-lbs", 64 * KIB, 512));
        p.remove("logical_block_size");
        BlockDevice d = backend.open(new ExportSpec("default-lbs", p, false));
        devices.add(d);
        assertEquals(512, d.logicalBlockSize());
        assertEquals(Errno.EINVAL, write(d, 512 + 256, ByteBuffer.allocate(512), 0));
        assertEquals(0, write(d, 512, ByteBuffer.allocate(512), 0));
    }

    @Test
    void newStorageReadsAsZeroes() throws Exception {
        BlockDevice d = open("zeroes", MIB, 512, false);
        ByteBuffer all = ByteBuffer.allocate(MIB);
        all.put(0, (byte) 1);
        assertEquals(0, read(d, 0, all));
        assertArrayEquals(new byte[MIB], all.array());
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void randomWritesReadBackAtManySizesAndOffsets(int blockSize) throws Exception {
        int size = 4 * MIB;
        BlockDevice d = open("random-" + blockSize, size, blockSize, false);
        byte[] model = new byte[size];
        Random random = new Random(blockSize);
        int blocks = size / blockSize;
        for (int i = 0; i < 300; i++) {
            int count = 1 + random.nextInt(i % 10 == 0 ? blocks / 4 : 16);
            long offset = (long) random.nextInt(blocks - count + 1) * blockSize;
            byte[] data = new byte[count * blockSize];
            random.nextBytes(data);
            ByteBuffer src = buffer(data, i % 2 == 0, i % 7);
            int position = src.position();
            int limit = src.limit();
            assertEquals(0, write(d, offset, src, 0), "write of " + data.length + " at " + offset);
            assertEquals(position, src.position(), "the source's position is left as it was");
            assertEquals(limit, src.limit());
            System.arraycopy(data, 0, model, (int) offset, data.length);

            int readCount = 1 + random.nextInt(64);
            long readOffset = (long) random.nextInt(blocks - readCount + 1) * blockSize;
            ByteBuffer dst = buffer(new byte[readCount * blockSize], i % 3 == 0, i % 5);
            position = dst.position();
            assertEquals(0, read(d, readOffset, dst), "read at " + readOffset);
            assertEquals(position, dst.position(), "the destination's position is left as it was");
            assertArrayEquals(
                    slice(model, readOffset, readCount * blockSize),
                    contents(dst),
                    "read of " + readCount + " blocks at " + readOffset);
        }
        ByteBuffer all = ByteBuffer.allocateDirect(size);
        assertEquals(0, read(d, 0, all));
        assertArrayEquals(model, contents(all));
    }

    @Test
    void misalignedOrOutOfRangeOperationsFailWithEinval() throws Exception {
        int size = 64 * KIB;
        BlockDevice d = open("range", size, 4096, false);
        long[][] bad = {
            {512, 4096},
            {0, 512},
            {4096, 4096 + 512},
            {-4096, 4096},
            {size, 4096},
            {size - 4096, 8192},
            {Long.MAX_VALUE & ~4095L, 4096},
            {4096, Long.MAX_VALUE & ~4095L}
        };
        for (long[] r : bad) {
            String what = "offset " + r[0] + " length " + r[1];
            if (r[1] <= MIB) {
                assertEquals(Errno.EINVAL, read(d, r[0], ByteBuffer.allocate((int) r[1])), "read " + what);
                assertEquals(Errno.EINVAL, write(d, r[0], ByteBuffer.allocate((int) r[1]), 0), "write " + what);
            }
            assertEquals(Errno.EINVAL, discard(d, r[0], r[1]), "discard " + what);
            assertEquals(Errno.EINVAL, writeZeroes(d, r[0], r[1]), "write zeroes " + what);
        }
        assertEquals(Errno.EINVAL, discard(d, 0, -4096), "negative length");
        assertEquals(0, write(d, size - 4096, ByteBuffer.allocate(4096), 0), "the last block is in range");
        assertEquals(0, read(d, size - 4096, ByteBuffer.allocate(4096)));
        assertEquals(0, read(d, size, ByteBuffer.allocate(0)), "an empty read at the end");
        assertEquals(0, discard(d, 0, 0), "an empty discard");
    }

    @Test
    void unknownWriteFlagsOrAReadOnlyDestinationFailWithEinval() throws Exception {
        BlockDevice d = open("flags", 64 * KIB, 512, false);
        ByteBuffer data = ByteBuffer.wrap(filled(512, 7));
        assertEquals(Errno.EINVAL, write(d, 0, data, 1 << 1));
        assertEquals(Errno.EINVAL, write(d, 0, data, BlockDevice.FUA | 1 << 5));
        ByteBuffer back = ByteBuffer.allocate(512);
        assertEquals(0, read(d, 0, back));
        assertArrayEquals(new byte[512], back.array(), "a refused write changes nothing");
        assertEquals(Errno.EINVAL, read(d, 0, ByteBuffer.allocate(512).asReadOnlyBuffer()));
    }

    @Test
    void readOnlyExportReadsAndRefusesChangesWithErofs() throws Exception {
        BlockDevice d = open("ro", 64 * KIB, 512, true);
        assertTrue(d.isReadOnly());
        assertEquals(Errno.EROFS, write(d, 0, ByteBuffer.allocate(512), 0));
        assertEquals(Errno.EROFS, write(d, 0, ByteBuffer.allocate(512), BlockDevice.FUA));
        assertEquals(Errno.EROFS, discard(d, 0, 4096));
        assertEquals(Errno.EROFS, writeZeroes(d, 0, 4096));
        ByteBuffer back = ByteBuffer.allocate(4096);
        assertEquals(0, read(d, 0, back));
        assertArrayEquals(new byte[4096], back.array());
        assertEquals(0, flush(d));
    }

    @Test
    void fuaWritesAndFlushesComplete() throws Exception {
        BlockDevice d = open("fua", 256 * KIB, 512, false);
        byte[] data = filled(8192, 3);
        assertEquals(0, write(d, 4096, ByteBuffer.wrap(data), BlockDevice.FUA));
        assertEquals(0, flush(d));
        assertEquals(0, write(d, 65536, ByteBuffer.wrap(data), 0));
        assertEquals(0, flush(d));
        ByteBuffer back = ByteBuffer.allocate(8192);
        assertEquals(0, read(d, 4096, back));
        assertArrayEquals(data, back.array());
    }

    @Test
    void discardAndWriteZeroesReadBackZeroesAndLeaveNeighboursAlone() throws Exception {
        int size = 4 * MIB;
        BlockDevice d = open("zero", size, 4096, false);
        byte[] data = filled(size, 11);
        assertEquals(0, write(d, 0, ByteBuffer.wrap(data), 0));
        assertEquals(0, writeZeroes(d, 64 * KIB, 64 * KIB));
        assertEquals(0, discard(d, 192 * KIB, 32 * KIB));
        Arrays.fill(data, 64 * KIB, 128 * KIB, (byte) 0);
        if (discardZeroesData()) {
            Arrays.fill(data, 192 * KIB, 224 * KIB, (byte) 0);
        }
        ByteBuffer back = ByteBuffer.allocate(size);
        assertEquals(0, read(d, 0, back));
        if (!discardZeroesData()) {
            System.arraycopy(back.array(), 192 * KIB, data, 192 * KIB, 32 * KIB);
        }
        assertArrayEquals(data, back.array());

        // ranges larger than any internal zero buffer, crossing megabytes
        assertEquals(0, writeZeroes(d, MIB - 4096, 2 * MIB + 8192));
        assertEquals(0, discard(d, 0, size));
        back.clear();
        assertEquals(0, read(d, 0, back));
        byte[] expected = discardZeroesData() ? new byte[size] : back.array();
        assertArrayEquals(expected, back.array());
    }

    @Test
    void blockStatusCoversTheRangeInWholeBlocksAndWhatItCallsZeroReadsAsZeroes() throws Exception {
        int size = 4 * MIB;
        BlockDevice d = open("status", size, 4096, false);
        assertEquals(0, write(d, 64 * KIB, ByteBuffer.wrap(filled(128 * KIB, 5)), 0));
        assertEquals(0, write(d, 2 * MIB, ByteBuffer.wrap(filled(MIB, 6)), 0));
        assertEquals(0, discard(d, 2 * MIB + 256 * KIB, 256 * KIB));
        assertEquals(0, writeZeroes(d, 2 * MIB + 768 * KIB, 64 * KIB));
        for (long[] range : new long[][] {{0, size}, {64 * KIB, 4096}, {2 * MIB - 4096, MIB}}) {
            List<long[]> extents = new ArrayList<>();
            assertEquals(0, blockStatus(d, range[0], range[1], extents, Integer.MAX_VALUE));
            long at = range[0];
            for (long[] e : extents) {
                assertTrue(e[0] > 0 && e[0] % 4096 == 0, "extent of " + e[0] + " bytes at " + at);
                if ((e[1] & BlockStatusReceiver.ZERO) != 0) {
                    ByteBuffer back = ByteBuffer.allocate((int) e[0]);
                    assertEquals(0, read(d, at, back));
                    assertArrayEquals(new byte[(int) e[0]], back.array(), "ZERO extent at " + at);
                }
                at += e[0];
            }
            assertEquals(range[0] + range[1], at, "the extents cover the range and no more");
        }
        List<long[]> one = new ArrayList<>();
        assertEquals(0, blockStatus(d, 0, size, one, 1));
        assertEquals(1, one.size(), "a receiver that wants no more gets no more");
        assertEquals(Errno.EINVAL, blockStatus(d, 512, 4096, new ArrayList<>(), 1));
        assertEquals(Errno.EINVAL, blockStatus(d, size - 4096, 8192, new ArrayList<>(), 1));
        d.close();
        List<long[]> none = new ArrayList<>();
        assertEquals(Errno.EIO, blockStatus(d, 0, 4096, none, 1));
        assertEquals(0, none.size());
    }

    @Test
    void aClosedDeviceFailsEveryOperationWithEioAndNeverThrows() throws Exception {
        BlockDevice d = open("closed", 64 * KIB, 512, false);
        assertEquals(0, write(d, 0, ByteBuffer.allocate(512), 0));
        d.close();
        d.close();
        assertEquals(Errno.EIO, read(d, 0, ByteBuffer.allocate(512)));
        assertEquals(Errno.EIO, write(d, 0, ByteBuffer.allocate(512), 0));
        assertEquals(Errno.EIO, write(d, 0, ByteBuffer.allocate(512), BlockDevice.FUA));
        assertEquals(Errno.EIO, flush(d));
        assertEquals(Errno.EIO, discard(d, 0, 512));
        assertEquals(Errno.EIO, writeZeroes(d, 0, 512));
        assertEquals(Errno.EIO, read(d, 1, ByteBuffer.allocate(3)), "closed is reported before other errors");
    }

    @Test
    void closingWhileIoIsInFlightCompletesEveryOperation() throws Exception {
        BlockDevice d = open("closing", 4 * MIB, 4096, false);
        List<Completion> submitted = new ArrayList<>();
        CountDownLatch running = new CountDownLatch(200);
        AtomicBoolean closed = new AtomicBoolean();
        Thread submitter = new Thread(() -> {
            Random random = new Random(5);
            // keeps submitting until 100 operations after the close, so that some are in flight when it happens
            for (int i = 0, after = 0; after < 100 && i < 100_000; i++) {
                after += closed.get() ? 1 : 0;
                Completion c = track(new Completion());
                synchronized (submitted) {
                    submitted.add(c);
                }
                long offset = (long) random.nextInt(1000) * 4096;
                ByteBuffer b = ByteBuffer.allocate(4096 * (1 + random.nextInt(16)));
                switch (i % 4) {
                    case 0 -> d.write(offset, b, 0, c);
                    case 1 -> d.read(offset, b, c);
                    case 2 -> d.flush(c);
                    default -> d.writeZeroes(offset, b.capacity(), c);
                }
                running.countDown();
            }
        });
        submitter.start();
        assertTrue(running.await(Completion.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        d.close();
        closed.set(true);
        submitter.join(TimeUnit.SECONDS.toMillis(Completion.TIMEOUT_SECONDS));
        assertFalse(submitter.isAlive(), "submitting never blocks");
        int failed = 0;
        synchronized (submitted) {
            for (Completion c : submitted) {
                int errno = c.await();
                assertTrue(errno == 0 || errno == Errno.EIO, "0 or EIO, got " + Errno.name(errno));
                failed += errno == Errno.EIO ? 1 : 0;
            }
        }
        assertTrue(failed >= 100, "the operations submitted after the close failed: " + failed);
        assertEquals(Errno.EIO, read(d, 0, ByteBuffer.allocate(4096)));
    }

    @Test
    void concurrentIoFromSeveralThreadsKeepsEveryWrite() throws Exception {
        int threads = 4;
        int region = MIB;
        int block = 4096;
        BlockDevice d = open("concurrent", (long) threads * region, block, false);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long base = (long) t * region;
            Random random = new Random(100 + t);
            workers.add(new Thread(
                    () -> {
                        try {
                            byte[] model = new byte[region];
                            for (int round = 0; round < 40; round++) {
                                // eight writes in flight at once, to distinct blocks so that their order does not
                                // matter
                                List<Completion> pending = new ArrayList<>();
                                int first = random.nextInt(region / block - 8 * 4);
                                for (int k = 0; k < 8; k++) {
                                    int at = (first + 4 * k) * block;
                                    byte[] data = new byte[block * (1 + random.nextInt(4))];
                                    random.nextBytes(data);
                                    System.arraycopy(data, 0, model, at, data.length);
                                    Completion c = track(new Completion());
                                    d.write(base + at, ByteBuffer.wrap(data), k == 7 ? BlockDevice.FUA : 0, c);
                                    pending.add(c);
                                }
                                if (round % 10 == 0) {
                                    pending.add(track(new Completion()));
                                    d.flush(pending.get(pending.size() - 1));
                                }
                                for (Completion c : pending) {
                                    assertEquals(0, c.await());
                                }
                                ByteBuffer back = ByteBuffer.allocateDirect(region);
                                assertEquals(0, read(d, base, back));
                                assertArrayEquals(model, contents(back), "region at " + base + ", round " + round);
                            }
                        } catch (Throwable e) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        }
                    },
                    "conformance-io-" + t));
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(50));
            assertFalse(w.isAlive(), w.getName() + " did not finish");
        }
        if (!failures.isEmpty()) {
            fail("a worker failed", failures.get(0));
        }
    }

    @Test
    void stoppingTheBackendClosesItsDevices() throws Exception {
        BlockDevice a = open("stop-a", 64 * KIB, 512, false);
        BlockDevice b = open("stop-b", 64 * KIB, 4096, true);
        assertEquals(0, write(a, 0, ByteBuffer.allocate(512), 0));
        stopped = true;
        stopBackend(backend);
        assertEquals(Errno.EIO, write(a, 0, ByteBuffer.allocate(512), 0));
        assertEquals(Errno.EIO, read(a, 0, ByteBuffer.allocate(512)));
        assertEquals(Errno.EIO, read(b, 0, ByteBuffer.allocate(4096)));
        assertEquals(Errno.EIO, flush(b));
        Map<String, String> p = newStorage("after-stop", 64 * KIB, 512);
        assertThrows(IOException.class, () -> backend.open(new ExportSpec("after-stop", p, false)));
    }

    @Test
    void missingParametersAreRefusedWithEinval() {
        BlockException e =
                assertThrows(BlockException.class, () -> backend.open(new ExportSpec("nothing", Map.of(), false)));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("nothing"), "the message names the export: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1000", "256", "8192", "4k", ""})
    void invalidLogicalBlockSizesAreRefusedWithEinval(String value) throws Exception {
        Map<String, String> p = new HashMap<>(newStorage("lbs", 64 * KIB, 512));
        p.put("logical_block_size", value);
        BlockException e = assertThrows(BlockException.class, () -> backend.open(new ExportSpec("lbs", p, false)));
        assertEquals(Errno.EINVAL, e.errno());
    }

    // ---- helpers for subclasses ----

    protected final int read(BlockDevice d, long offset, ByteBuffer dst) throws InterruptedException {
        Completion c = track(new Completion());
        d.read(offset, dst, c);
        return c.await();
    }

    protected final int write(BlockDevice d, long offset, ByteBuffer src, int flags) throws InterruptedException {
        Completion c = track(new Completion());
        d.write(offset, src, flags, c);
        return c.await();
    }

    protected final int flush(BlockDevice d) throws InterruptedException {
        Completion c = track(new Completion());
        d.flush(c);
        return c.await();
    }

    protected final int discard(BlockDevice d, long offset, long length) throws InterruptedException {
        Completion c = track(new Completion());
        d.discard(offset, length, c);
        return c.await();
    }

    protected final int writeZeroes(BlockDevice d, long offset, long length) throws InterruptedException {
        Completion c = track(new Completion());
        d.writeZeroes(offset, length, c);
        return c.await();
    }

    /** Adds each extent as {length, flags} to {@code extents}, asking for at most {@code max}; returns the errno. */
    protected final int blockStatus(BlockDevice d, long offset, long length, List<long[]> extents, int max)
            throws InterruptedException {
        Completion c = track(new Completion());
        d.blockStatus(offset, length, new BlockStatusReceiver() {
            @Override
            public boolean extent(long n, int flags) {
                assertFalse(c.isDone(), "an extent after the completion");
                extents.add(new long[] {n, flags});
                return extents.size() < max;
            }

            @Override
            public void complete(int errno) {
                c.complete(errno);
            }
        });
        return c.await();
    }

    /** Checked for exactly one call after the test. */
    protected final Completion track(Completion c) {
        synchronized (completions) {
            completions.add(c);
        }
        return c;
    }

    /** {@code length} bytes of a repeatable pattern derived from {@code seed}. */
    protected static byte[] filled(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The bytes between position and limit, without moving the position. */
    protected static byte[] contents(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** {@code data} in a heap or direct buffer, preceded by {@code skew} bytes before its position. */
    private static ByteBuffer buffer(byte[] data, boolean direct, int skew) {
        ByteBuffer b = direct
                ? ByteBuffer.allocateDirect(skew + data.length + 3)
                : ByteBuffer.allocate(skew + data.length + 3);
        b.position(skew);
        b.put(data);
        b.position(skew).limit(skew + data.length);
        return b;
    }

    private static byte[] slice(byte[] model, long offset, int length) {
        byte[] out = new byte[length];
        System.arraycopy(model, (int) offset, out, 0, length);
        return out;
    }
}
