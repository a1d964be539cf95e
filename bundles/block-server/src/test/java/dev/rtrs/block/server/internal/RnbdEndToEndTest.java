package dev.rtrs.block.server.internal;

import static dev.rtrs.block.server.internal.RnbdFixture.discard;
import static dev.rtrs.block.server.internal.RnbdFixture.flush;
import static dev.rtrs.block.server.internal.RnbdFixture.read;
import static dev.rtrs.block.server.internal.RnbdFixture.write;
import static dev.rtrs.block.server.internal.RnbdFixture.writeZeroes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.BlockException;
import dev.rtrs.block.backend.file.internal.FileBackend;
import dev.rtrs.block.backend.memory.internal.MemoryBackend;
import dev.rtrs.block.client.internal.MappedDevice;
import dev.rtrs.block.client.internal.RnbdClient;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.IoOperation;
import dev.rtrs.errno.Errno;
import dev.rtrs.test.support.Await;
import dev.rtrs.transport.Direction;
import dev.rtrs.transport.PathAddress;
import dev.rtrs.transport.ServerSession;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** RNBD server and client in one JVM: every operation, every refusal, and what survives what. */
@Timeout(120)
class RnbdEndToEndTest {

    private static final Duration FIFTEEN_SECONDS = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private RnbdFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new RnbdFixture(dir);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    private static ByteBuffer random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    private Path fileExport(String name, int size) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, new byte[size]);
        return p;
    }

    private void everyOperation(BlockDevice d) throws Exception {
        assertEquals(0, d.size() % 512);
        ByteBuffer data = random(1024 * 1024 + 4096, 1);
        assertEquals(0, write(d, 8192, data.duplicate(), 0), "a write larger than one IO is split");
        ByteBuffer back = ByteBuffer.allocate(data.capacity());
        assertEquals(0, read(d, 8192, back));
        assertEquals(data.rewind(), back.rewind());
        assertEquals(0, write(d, 0, random(4096, 2), BlockDevice.FUA));
        assertEquals(0, flush(d));
        assertEquals(0, writeZeroes(d, 8192, 512 * 1024));
        ByteBuffer z = ByteBuffer.allocate(512 * 1024);
        assertEquals(0, read(d, 8192, z));
        assertArrayEquals(new byte[512 * 1024], z.array());
        if (d.supportsDiscard()) {
            assertEquals(0, discard(d, 0, 4096));
        }
        assertEquals(Errno.EINVAL, read(d, d.size(), ByteBuffer.allocate(512)), "past the end");
        assertEquals(Errno.EINVAL, read(d, 100, ByteBuffer.allocate(512)), "misaligned");
    }

    @Test
    void everyOperationOnAMemoryExport() throws Exception {
        MappedDevice d = f.map("m", "s1", "mem", AccessMode.RW);
        assertEquals(16 * 1024 * 1024, d.size());
        everyOperation(d);
    }

    @Test
    void everyOperationOnAFileUnderTheSearchPath() throws Exception {
        Path p = fileExport("disk.img", 4 * 1024 * 1024);
        MappedDevice d = f.map("f", "s1", "disk.img", AccessMode.RW);
        assertEquals(4 * 1024 * 1024, d.size());
        everyOperation(d);
        ByteBuffer data = random(4096, 9);
        assertEquals(0, write(d, 3 * 1024 * 1024, data.duplicate(), BlockDevice.FUA));
        byte[] onDisk = new byte[4096];
        System.arraycopy(Files.readAllBytes(p), 3 * 1024 * 1024, onDisk, 0, 4096);
        assertArrayEquals(data.array(), onDisk, "the data is in the file");
    }

    @Test
    void openRefusalsCarryClearErrnos() throws Exception {
        assertEquals(Errno.ENOENT, errnoOfMap("a", "s1", "nothing-here", AccessMode.RW));
        assertEquals(Errno.EINVAL, errnoOfMap("b", "s1", "../escape.img", AccessMode.RW));
        assertEquals(
                Errno.ENOENT,
                errnoOfMap("c", "s1", "/etc/hostname", AccessMode.RO),
                "an absolute name is looked up under the search path, where there is no etc/hostname");
        Path outside = Files.createTempFile("outside", ".img");
        Files.write(outside, new byte[4096]);
        Files.createSymbolicLink(dir.resolve("link.img"), outside);
        assertEquals(Errno.EACCES, errnoOfMap("d", "s1", "link.img", AccessMode.RW), "a symlink leading outside");
        assertEquals(Errno.EROFS, errnoOfMap("e", "s1", "mem-ro", AccessMode.RW));
        assertEquals(Errno.EACCES, errnoOfMap("g", "s1", "private", AccessMode.RO), "session not allowed");
        assertTrue(f.map("vip-dev", "vip", "private", AccessMode.RW).size() > 0, "the allowed session may");
        Files.delete(outside);
    }

    private int errnoOfMap(String name, String session, String path, AccessMode mode) {
        return assertThrows(BlockException.class, () -> f.map(name, session, path, mode))
                .errno();
    }

    @Test
    void accessModes() throws Exception {
        MappedDevice rw = f.map("rw", "s1", "mem", AccessMode.RW);
        assertEquals(Errno.EPERM, errnoOfMap("rw2", "s2", "mem", AccessMode.RW), "RW only once");
        MappedDevice ro1 = f.map("ro1", "s2", "mem", AccessMode.RO);
        MappedDevice ro2 = f.map("ro2", "s3", "mem", AccessMode.RO);
        assertTrue(ro1.isReadOnly() && ro2.isReadOnly());
        assertEquals(Errno.EROFS, write(ro1, 0, ByteBuffer.allocate(512), 0));
        MappedDevice migration = f.map("mig", "s4", "mem", AccessMode.MIGRATION);
        assertEquals(Errno.EPERM, errnoOfMap("mig2", "s5", "mem", AccessMode.MIGRATION), "at most two writers");
        assertEquals(Errno.EEXIST, errnoOfMap("again", "s1", "mem", AccessMode.RO), "one session maps a device once");
        ByteBuffer data = random(4096, 3);
        assertEquals(0, write(migration, 0, data.duplicate(), 0));
        ByteBuffer back = ByteBuffer.allocate(4096);
        assertEquals(0, read(ro2, 0, back));
        assertEquals(data.rewind(), back.rewind());
        assertEquals(0, write(rw, 4096, data.duplicate(), 0), "the first writer is unaffected");
    }

    @Test
    void hostileRequestsFailAloneAndLeaveOthersWorking() throws Exception {
        MappedDevice good = f.map("good", "honest", "mem", AccessMode.RW);
        try (RawRnbd raw = new RawRnbd(f, "hostile")) {
            int ro = raw.open("mem", AccessMode.RO);
            long sectors = 16 * 1024 * 1024 / 512;
            assertEquals(
                    Errno.ENOTCONN,
                    raw.request(Direction.READ, RawRnbd.io(ro + 77, 0, 0, 512), ByteBuffer.allocate(512)),
                    "a device this session did not open");
            assertEquals(
                    Errno.EINVAL,
                    raw.request(Direction.READ, RawRnbd.io(ro, sectors, 0, 512), ByteBuffer.allocate(512)),
                    "past the end");
            assertEquals(
                    Errno.EROFS,
                    raw.request(
                            Direction.WRITE,
                            RawRnbd.io(ro, 0, IoOperation.WRITE.wireValue(), 512),
                            ByteBuffer.allocate(512)),
                    "a write on a read-only open");
            assertEquals(
                    Errno.EINVAL,
                    raw.request(Direction.READ, RawRnbd.io(ro, 0, 7, 512), ByteBuffer.allocate(512)),
                    "an unknown operation");
            assertEquals(
                    Errno.EINVAL,
                    raw.request(Direction.READ, RawRnbd.io(ro, 0, 1 << 12, 512), ByteBuffer.allocate(512)),
                    "an unknown flag");
            assertEquals(
                    Errno.EINVAL,
                    raw.request(Direction.READ, RawRnbd.io(ro, 0, 0, 4096), ByteBuffer.allocate(512)),
                    "bi_size that does not match the data");
            ByteBuffer junk = ByteBuffer.allocate(12);
            junk.put(0, (byte) 99);
            assertTrue(raw.request(Direction.WRITE, junk) != 0, "an unknown message type");
            assertTrue(raw.request(Direction.WRITE, ByteBuffer.allocate(2)) != 0, "a truncated header");
            assertEquals(
                    0,
                    raw.request(Direction.READ, RawRnbd.io(ro, 0, 0, 512), ByteBuffer.allocate(512)),
                    "and the hostile session itself still works");
        }
        ByteBuffer data = random(8192, 4);
        assertEquals(0, write(good, 0, data.duplicate(), 0));
        ByteBuffer back = ByteBuffer.allocate(8192);
        assertEquals(0, read(good, 0, back));
        assertEquals(data.rewind(), back.rewind(), "the other session was not affected");
    }

    @Test
    void closingASessionClosesItsDevices() throws Exception {
        try (RawRnbd raw = new RawRnbd(f, "leaver")) {
            raw.open("mem", AccessMode.RW);
            assertEquals(Errno.EPERM, errnoOfMap("w", "s1", "mem", AccessMode.RW));
        }
        Await.until(
                () -> f.registry.activeExports().stream().noneMatch(Export::inUse),
                FIFTEEN_SECONDS,
                "the export is released with the session");
        MappedDevice d = f.map("w", "s1", "mem", AccessMode.RW);
        f.client.unmap("w");
        assertTrue(d.isClosed());
        assertEquals(Errno.EIO, write(d, 0, ByteBuffer.allocate(512), 0), "an unmapped device fails IO");
        f.map("w2", "s2", "mem", AccessMode.RW);
    }

    @Test
    void anOperatorForceCloseIsSurvivedByReconnectAndRemap() throws Exception {
        MappedDevice d = f.map("fc", "forced", "mem", AccessMode.RW);
        ByteBuffer data = random(4096, 5);
        assertEquals(0, write(d, 0, data.duplicate(), 0));
        ServerSession s = f.server.session("forced").orElseThrow();
        s.close();
        ByteBuffer back = ByteBuffer.allocate(4096);
        assertEquals(0, read(d, 0, back), "IO waits for the reconnect and remap, then succeeds");
        assertEquals(data.rewind(), back.rewind());
        assertTrue(f.server.session("forced").isPresent());
    }

    @Test
    void aVanishedBackendFailsIoWithEioAndItsReturnBringsTheExportBack() throws Exception {
        Path p = fileExport("persist.img", 1024 * 1024);
        MappedDevice d = f.map("p", "s1", "persist.img", AccessMode.RW);
        ByteBuffer data = random(4096, 6);
        assertEquals(0, write(d, 0, data.duplicate(), BlockDevice.FUA));
        f.registry.removeBackend(f.file);
        f.file.deactivate();
        assertEquals(Errno.EIO, read(d, 0, ByteBuffer.allocate(4096)), "no backend: EIO, no hang");
        assertEquals(Errno.EIO, write(d, 0, ByteBuffer.allocate(4096), 0));
        FileBackend again = FileBackend.withDefaults();
        try {
            f.registry.addBackend(again);
            ByteBuffer back = ByteBuffer.allocate(4096);
            assertEquals(0, read(d, 0, back), "the same mapping works again");
            assertEquals(data.rewind(), back.rewind());
            assertTrue(Files.size(p) > 0);
        } finally {
            again.deactivate();
        }
        MemoryBackend m2 = MemoryBackend.withDefaults();
        f.registry.addBackend(m2);
        m2.deactivate();
    }

    @Test
    void aServerRestartIsFollowedByAutomaticRemap() throws Exception {
        fileExport("restart.img", 1024 * 1024);
        MappedDevice d = f.map("r", "s1", "restart.img", AccessMode.RW);
        ByteBuffer data = random(4096, 7);
        assertEquals(0, write(d, 4096, data.duplicate(), BlockDevice.FUA));
        int port = f.port;
        f.server.close();
        Await.until(() -> !d.isConnected(), FIFTEEN_SECONDS, "the client notices");
        f.startServer(port);
        ByteBuffer back = ByteBuffer.allocate(4096);
        assertEquals(0, read(d, 4096, back), "IO after the restart goes through the remapped device");
        assertEquals(data.rewind(), back.rewind());
        assertTrue(d.isConnected());
        assertFalse(d.isClosed());
    }

    @Test
    void aMapWaitingForAnUnansweringServerDoesNotHoldUpOtherSessions() throws Exception {
        // a loopback listener that accepts TCP connections and never answers the connection handshake
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<Throwable> stuck = CompletableFuture.supplyAsync(() -> {
                try {
                    f.client.map(RnbdClient.MapSpec.builder("stuck", "silent", "mem")
                            .paths(List.of(PathAddress.parse("127.0.0.1", silent.getLocalPort())))
                            .mode(AccessMode.RO)
                            .connectionsPerPath(1)
                            .reconnectDelay(Duration.ofMillis(200))
                            .connectTimeout(Duration.ofSeconds(6))
                            .ioTimeoutMs(1000)
                            .build());
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            Thread.sleep(200);
            MappedDevice d = f.map("quick", "other", "mem", AccessMode.RO);
            assertTrue(d.size() > 0);
            assertFalse(stuck.isDone(), "mapped while the other session's map was still waiting for its server");
            assertTrue(stuck.get(60, TimeUnit.SECONDS) instanceof BlockException, "the stuck map ends with an error");
        }
    }
}
