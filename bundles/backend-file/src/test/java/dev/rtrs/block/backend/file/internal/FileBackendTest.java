package dev.rtrs.block.backend.file.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.BlockStatusReceiver;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.block.conformance.Completion;
import dev.rtrs.errno.Errno;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What only the file backend does: real files, what reaches the disk, creation, block devices, its threads. */
@Timeout(30)
class FileBackendTest {

    @TempDir
    Path dir;

    private final FileBackend backend = new FileBackend(FileConfigs.ioThreads(2));

    @AfterEach
    void stop() {
        backend.deactivate();
    }

    private Path file(String name, long size) throws Exception {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    private static ExportSpec spec(Path path, boolean readOnly, String... more) {
        Map<String, String> p = new HashMap<>();
        p.put("path", path.toString());
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return new ExportSpec("disk", p, readOnly);
    }

    private static int await(Consumer<Completion> op) throws InterruptedException {
        Completion c = new Completion();
        op.accept(c);
        return c.await();
    }

    private static byte[] readBack(Path path, long offset, int length) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            while (b.hasRemaining() && ch.read(b, offset + b.position()) >= 0) {
                // until full
            }
        }
        return b.array();
    }

    private static byte[] random(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void registersAsTheFileBackend() {
        assertEquals("file", backend.type());
    }

    @Test
    void flushedAndFuaWritesAreInTheFileForAnotherReader() throws Exception {
        Path p = file("data.img", 1 << 20);
        BlockDevice d = backend.open(spec(p, false));
        assertTrue(d.hasWriteCache() && d.supportsFua());
        byte[] plain = random(64 * 1024, 1);
        byte[] fua = random(8192, 2);
        assertEquals(0, await(c -> d.write(8192, ByteBuffer.wrap(plain), 0, c)));
        assertEquals(0, await(d::flush));
        assertEquals(0, await(c -> d.write(512 * 1024, ByteBuffer.wrap(fua), BlockDevice.FUA, c)));
        d.close();
        assertArrayEquals(plain, readBack(p, 8192, plain.length));
        assertArrayEquals(fua, readBack(p, 512 * 1024, fua.length));
        assertEquals(1 << 20, Files.size(p), "writes inside the file never change its size");
    }

    @Test
    void discardAndWriteZeroesZeroTheFile() throws Exception {
        Path p = file("trim.img", 256 * 1024);
        Files.write(p, random(256 * 1024, 3));
        BlockDevice d = backend.open(spec(p, false));
        assertEquals(0, await(c -> d.discard(4096, 8192, c)));
        assertEquals(0, await(c -> d.writeZeroes(64 * 1024, 128 * 1024, c)));
        assertEquals(0, await(d::flush));
        byte[] expected = random(256 * 1024, 3);
        Arrays.fill(expected, 4096, 4096 + 8192, (byte) 0);
        Arrays.fill(expected, 64 * 1024, 192 * 1024, (byte) 0);
        assertArrayEquals(expected, readBack(p, 0, 256 * 1024), "zeroes there, the old data around them");
    }

    @Test
    void aSparseFileReportsAllocatedDataEverywhere() throws Exception {
        Path p = file("sparse.img", 1 << 20); // one hole on disk
        BlockDevice d = backend.open(spec(p, false));
        List<String> extents = new ArrayList<>();
        Completion c = new Completion();
        d.blockStatus(4096, (1 << 20) - 4096, new BlockStatusReceiver() {
            @Override
            public boolean extent(long length, int flags) {
                extents.add(length + "/" + flags);
                return true;
            }

            @Override
            public void complete(int errno) {
                c.complete(errno);
            }
        });
        assertEquals(0, c.await());
        assertEquals(List.of(((1 << 20) - 4096) + "/0"), extents, "Java cannot see a file's holes");
    }

    @Test
    void createMakesASparseFileAndOpensItAgainLater() throws Exception {
        Path p = dir.resolve("new.img");
        BlockDevice d = backend.open(spec(p, false, "create", "true", "size", "1M", "logical_block_size", "4096"));
        assertEquals(1 << 20, Files.size(p));
        assertEquals(1 << 20, d.size());
        byte[] data = random(4096, 4);
        assertEquals(0, await(c -> d.write(4096, ByteBuffer.wrap(data), BlockDevice.FUA, c)));
        d.close();

        BlockDevice again = backend.open(spec(p, false, "create", "true", "size", "1M"));
        ByteBuffer back = ByteBuffer.allocate(4096);
        assertEquals(0, await(c -> again.read(4096, back, c)));
        assertArrayEquals(data, back.array(), "an existing file is opened, not recreated");
        again.close();

        BlockException e =
                assertThrows(BlockException.class, () -> backend.open(spec(p, false, "create", "true", "size", "2M")));
        assertEquals(Errno.EEXIST, e.errno());
    }

    @Test
    void inconsistentCreationParametersAreRefusedWithEinval() throws Exception {
        Path p = dir.resolve("never.img");
        String[][] bad = {
            {"create", "true"},
            {"size", "1M"},
            {"create", "true", "size", "1000"},
            {"create", "true", "size", "0"},
            {"create", "maybe", "size", "1M"}
        };
        for (String[] more : bad) {
            BlockException e = assertThrows(BlockException.class, () -> backend.open(spec(p, false, more)));
            assertEquals(Errno.EINVAL, e.errno(), String.join(" ", more));
        }
        assertEquals(
                Errno.EINVAL,
                assertThrows(BlockException.class, () -> backend.open(spec(p, true, "create", "true", "size", "1M")))
                        .errno(),
                "create read-only");
        assertFalse(Files.exists(p), "nothing was created");
        assertEquals(
                Errno.EINVAL,
                assertThrows(
                                BlockException.class,
                                () -> backend.open(new ExportSpec("rel", Map.of("path", "relative/disk.img"), false)))
                        .errno());
    }

    @Test
    void missingFilesAreEnoent() {
        Path missing = dir.resolve("missing.img");
        BlockException e = assertThrows(BlockException.class, () -> backend.open(spec(missing, false)));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        BlockException noDir = assertThrows(
                BlockException.class,
                () -> backend.open(spec(dir.resolve("no/such/dir.img"), false, "create", "true", "size", "1M")));
        assertEquals(Errno.ENOENT, noDir.errno());
    }

    @Test
    void onlyRegularFilesAndBlockDevicesAreExported() {
        assertEquals(
                Errno.EINVAL,
                assertThrows(BlockException.class, () -> backend.open(spec(dir, false)))
                        .errno());
        Path nul = Path.of("/dev/null");
        assumeTrue(Files.exists(nul));
        assertEquals(
                Errno.EINVAL,
                assertThrows(BlockException.class, () -> backend.open(spec(nul, true)))
                        .errno());
    }

    @Test
    void aFileIsCutToWholeBlocksAndMustHoldOne() throws Exception {
        Path p = file("odd.img", 10_000);
        BlockDevice d = backend.open(spec(p, false, "logical_block_size", "4096"));
        assertEquals(8192, d.size());
        assertEquals(0, await(c -> d.writeZeroes(0, 8192, c)));
        assertEquals(Errno.EINVAL, await(c -> d.write(8192, ByteBuffer.allocate(4096), 0, c)));
        d.close();
        assertEquals(10_000, Files.size(p));
        Path tiny = file("tiny.img", 100);
        assertEquals(
                Errno.EINVAL,
                assertThrows(BlockException.class, () -> backend.open(spec(tiny, false)))
                        .errno());
    }

    @Test
    void aReadOnlyExportOpensAFileItMayNotWrite() throws Exception {
        Path p = file("ro.img", 64 * 1024);
        Files.write(p, random(64 * 1024, 5));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--r--r--"));
        BlockDevice d = backend.open(spec(p, true));
        ByteBuffer back = ByteBuffer.allocate(4096);
        assertEquals(0, await(c -> d.read(0, back, c)));
        assertArrayEquals(readBack(p, 0, 4096), back.array());
        assertEquals(Errno.EROFS, await(c -> d.write(0, ByteBuffer.allocate(512), 0, c)));
        assertArrayEquals(random(64 * 1024, 5), readBack(p, 0, 64 * 1024));
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root may write any file");
        assertEquals(
                Errno.EACCES,
                assertThrows(BlockException.class, () -> backend.open(spec(p, false)))
                        .errno());
    }

    @Test
    void aFileTruncatedBehindTheExportsBackReadsAsZeroes() throws Exception {
        Path p = file("shrinks.img", 64 * 1024);
        Files.write(p, random(64 * 1024, 6));
        BlockDevice d = backend.open(spec(p, false));
        try (FileChannel other = FileChannel.open(p, StandardOpenOption.WRITE)) {
            other.truncate(4096);
        }
        ByteBuffer back = ByteBuffer.allocate(8192);
        back.put(0, (byte) 1);
        assertEquals(0, await(c -> d.read(0, back, c)));
        byte[] expected = new byte[8192];
        System.arraycopy(random(64 * 1024, 6), 0, expected, 0, 4096);
        assertArrayEquals(expected, back.array());
    }

    @Test
    void anUnattachedLoopDeviceIsRefusedForItsSize() throws Exception {
        Path loop = Path.of("/dev/loop7");
        assumeTrue(Files.exists(loop) && SysfsBlockDevices.isBlockDevice(loop), "no /dev/loop7");
        Path size = Path.of("/sys/class/block/loop7/size");
        assumeTrue(Files.exists(size) && "0".equals(Files.readString(size).trim()), "/dev/loop7 is in use");
        BlockException e = assertThrows(BlockException.class, () -> backend.open(spec(loop, true)));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("holds 0 bytes"), "found as a block device of size 0: " + e.getMessage());
    }

    @Test
    void ioRunsOnTheBackendsThreadsAndNeverBlocksTheCaller() throws Exception {
        FileBackend single = new FileBackend(FileConfigs.ioThreads(1));
        try {
            BlockDevice d = single.open(spec(file("threads.img", 1 << 20), false));
            CountDownLatch release = new CountDownLatch(1);
            String[] thread = new String[1];
            // holds the only IO thread
            d.flush(errno -> {
                thread[0] = Thread.currentThread().getName();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<Completion> queued = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                Completion c = new Completion();
                queued.add(c);
                d.write(i * 4096L, ByteBuffer.allocate(4096), BlockDevice.FUA, c);
            }
            long submitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(submitMillis < 2000, "submitting took " + submitMillis + " ms");
            assertFalse(queued.get(0).isDone(), "nothing ran while the IO thread was busy");
            release.countDown();
            for (Completion c : queued) {
                assertEquals(0, c.await());
            }
            assertTrue(thread[0].startsWith("rnbd-file-io-"), thread[0]);
            assertNotEquals(Thread.currentThread().getName(), thread[0]);
        } finally {
            single.deactivate();
        }
    }

    @Test
    void stoppingFailsTheIoStillQueuedWithEio() throws Exception {
        FileBackend single = new FileBackend(FileConfigs.ioThreads(1));
        BlockDevice d = single.open(spec(file("queued.img", 1 << 20), false));
        CountDownLatch release = new CountDownLatch(1);
        d.flush(errno -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<Completion> queued = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Completion c = new Completion();
            queued.add(c);
            d.read(i * 4096L, ByteBuffer.allocate(4096), c);
        }
        Thread stopper = new Thread(single::deactivate);
        stopper.start();
        while (!((FileDevice) d).isClosed()) {
            Thread.sleep(1);
        }
        release.countDown();
        stopper.join(10_000);
        assertFalse(stopper.isAlive());
        for (Completion c : queued) {
            assertEquals(Errno.EIO, c.await());
            assertEquals(1, c.calls());
        }
    }

    @Test
    void reconfiguringResizesTheIoThreadsAndKeepsExportsOpen() throws Exception {
        BlockDevice d = backend.open(spec(file("resize.img", 1 << 20), false));
        assertEquals(2, backend.ioThreads());
        backend.modified(FileConfigs.ioThreads(6));
        assertEquals(6, backend.ioThreads());
        backend.modified(FileConfigs.ioThreads(0));
        assertEquals(1, backend.ioThreads(), "clamped to at least one");
        backend.modified(FileConfigs.ioThreads(1000));
        assertEquals(FileBackend.MAX_IO_THREADS, backend.ioThreads());
        assertEquals(0, await(c -> d.write(0, ByteBuffer.allocate(4096), BlockDevice.FUA, c)));
    }
}
