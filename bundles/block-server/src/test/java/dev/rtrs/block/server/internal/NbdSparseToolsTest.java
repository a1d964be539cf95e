package dev.rtrs.block.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.ExportSpec;
import dev.rtrs.block.backend.memory.internal.MemoryBackend;
import dev.rtrs.block.client.internal.nbd.NbdExports;
import dev.rtrs.block.client.internal.nbd.NbdServer;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A memory-backend device served straight by the NBD gateway (no RNBD in between: a mapped device reports all
 * data, RNBD 2.0 cannot ask for allocation) to the real tools of Debian's libnbd-bin and qemu-utils: holes and
 * data where they are, sparse copies staying sparse, and the commands libnbd sends beyond READ and WRITE.
 */
@Timeout(300)
class NbdSparseToolsTest {

    private static final int MIB = 1 << 20;
    private static final int SIZE = 16 * MIB;

    @TempDir
    Path dir;

    private final MemoryBackend memory = MemoryBackend.withDefaults();
    private BlockDevice device;
    private NbdServer gateway;
    private String uri;

    @BeforeEach
    void start() throws Exception {
        device = memory.open(new ExportSpec("sparse", Map.of("size", Integer.toString(SIZE)), false));
        gateway = new NbdServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), new NbdExports() {
            @Override
            public List<BlockDevice> list() {
                return List.of(device);
            }

            @Override
            public BlockDevice find(String name) {
                return name.equals("sparse") ? device : null;
            }
        });
        uri = "nbd://127.0.0.1:" + gateway.localAddress().getPort() + "/sparse";
    }

    @AfterEach
    void stop() {
        gateway.close();
        memory.deactivate();
    }

    /** Writes {@code length} random bytes at {@code offset} through the Java API; returns them. */
    private byte[] writeData(long offset, int length, int seed) throws Exception {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        assertEquals(0, RnbdFixture.write(device, offset, ByteBuffer.wrap(data), 0));
        return data;
    }

    private byte[] deviceContents() throws Exception {
        ByteBuffer all = ByteBuffer.allocate(SIZE);
        assertEquals(0, RnbdFixture.read(device, 0, all));
        return all.array();
    }

    /** nbdinfo --map of the device: "offset length description" per line. */
    private List<String> map() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line : NbdTools.run(List.of("nbdinfo", "--map", uri)).split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4) {
                lines.add(f[0] + " " + f[1] + " " + f[3]);
            }
        }
        return lines;
    }

    /** Bytes the file takes on disk. */
    private static long allocated(Path file) throws Exception {
        return Long.parseLong(
                NbdTools.run(List.of("du", "-B1", file.toString())).split("\\s+")[0]);
    }

    /** A sparse file of the device's size: random data at [2 MiB, 3 MiB) and [12 MiB, 12 MiB + 64 KiB). */
    private Path sparseFile(String name) throws Exception {
        Path file = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(SIZE);
            byte[] data = new byte[MIB];
            new Random(4).nextBytes(data);
            f.seek(2 * MIB);
            f.write(data);
            f.seek(12 * MIB);
            f.write(data, 0, 64 * 1024);
        }
        return file;
    }

    /** What nbdinfo --map shows of {@link #sparseFile} once copied onto the device. */
    private static final List<String> SPARSE_FILE_MAP = List.of(
            "0 2097152 hole,zero",
            "2097152 1048576 data",
            "3145728 9437184 hole,zero",
            "12582912 65536 data",
            "12648448 4128768 hole,zero");

    @Test
    void nbdinfoSeesTheNegotiatedFeaturesAndTheMapOfHolesAndData() throws Exception {
        String info = NbdTools.run(List.of("nbdinfo", uri));
        assertTrue(info.contains("using structured packets"), info);
        assertTrue(info.contains("base:allocation"), info);
        for (String line : List.of("can_cache: true", "can_df: true", "can_fast_zero: true", "can_zero: true")) {
            assertTrue(info.contains(line), line + " in\n" + info);
        }
        assertTrue(info.contains("can_fua: false"), "memory has no write cache, so no FUA:\n" + info);

        assertEquals(List.of("0 16777216 hole,zero"), map(), "new memory is one hole");
        writeData(MIB, MIB, 1);
        writeData(8 * MIB, 4096, 2);
        assertEquals(0, RnbdFixture.discard(device, MIB + 256 * 1024, 128 * 1024));
        assertEquals(
                List.of(
                        "0 1048576 hole,zero",
                        "1048576 262144 data",
                        "1310720 131072 hole,zero",
                        "1441792 655360 data",
                        "2097152 6291456 hole,zero",
                        "8388608 4096 data",
                        "8392704 8384512 hole,zero"),
                map());
    }

    @Test
    void nbdcopyOfTheDeviceToAFileKeepsItSparse() throws Exception {
        writeData(MIB, MIB, 1);
        writeData(8 * MIB, 4096, 2);
        Path out = dir.resolve("out.img");
        NbdTools.run(List.of("nbdcopy", uri, out.toString()));
        assertArrayEquals(deviceContents(), Files.readAllBytes(out));
        long onDisk = allocated(out);
        System.out.println("nbdcopy: " + onDisk + " bytes on disk of a " + SIZE + "-byte copy");
        assertTrue(onDisk >= MIB + 4096 && onDisk < 2 * MIB, onDisk + " bytes on disk: the holes stayed holes");
    }

    @Test
    void nbdcopyOfASparseFileLeavesHolesOnTheDevice() throws Exception {
        writeData(0, SIZE, 3); // data everywhere first: the copy must make the holes
        Path in = sparseFile("in.img");
        NbdTools.run(List.of("nbdcopy", in.toString(), uri));
        assertEquals(SPARSE_FILE_MAP, map());
        assertArrayEquals(Files.readAllBytes(in), deviceContents());
    }

    @Test
    void qemuImgMapAndConvertSeeTheHoles() throws Exception {
        writeData(MIB, MIB, 1);
        writeData(8 * MIB, 4096, 2);
        String json = NbdTools.run(List.of("qemu-img", "map", "--output=json", "-f", "raw", uri));
        Matcher m = Pattern.compile("\"start\": (\\d+), \"length\": (\\d+),.*?\"zero\": (\\w+), \"data\": (\\w+)")
                .matcher(json);
        List<String> extents = new ArrayList<>();
        while (m.find()) {
            extents.add(m.group(1) + " " + m.group(2) + (m.group(4).equals("true") ? " data" : " zero"));
            assertEquals(m.group(4).equals("false"), m.group(3).equals("true"), "zero exactly where no data");
        }
        assertEquals(
                List.of(
                        "0 1048576 zero",
                        "1048576 1048576 data",
                        "2097152 6291456 zero",
                        "8388608 4096 data",
                        "8392704 8384512 zero"),
                extents,
                json);

        Path out = dir.resolve("copy.raw");
        NbdTools.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "raw", uri, out.toString()));
        assertArrayEquals(deviceContents(), Files.readAllBytes(out));
        long onDisk = allocated(out);
        System.out.println("qemu-img convert: " + onDisk + " bytes on disk of a " + SIZE + "-byte copy");
        assertTrue(onDisk < 2 * MIB, onDisk + " bytes on disk: the holes stayed holes");

        writeData(0, SIZE, 3);
        Path in = sparseFile("in.raw");
        NbdTools.run(List.of("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", in.toString(), uri));
        assertEquals(SPARSE_FILE_MAP, map(), "qemu-img zeroes the holes of its source: holes on the device");
        assertArrayEquals(Files.readAllBytes(in), deviceContents());
        NbdTools.run(List.of("qemu-img", "compare", "-f", "raw", "-F", "raw", in.toString(), uri));
    }

    @Test
    void libnbdUsesCacheFastZeroDfReqOneAndZeroLengths() throws Exception {
        writeData(0, SIZE, 3);
        String out = NbdTools.nbdsh(
                uri,
                String.join(
                        "\n",
                        "print('negotiated', h.get_structured_replies_negotiated(),"
                                + " h.can_meta_context('base:allocation'), h.can_cache(), h.can_fast_zero(), h.can_df())",
                        "h.cache(1048576, 0)",
                        "h.zero(4 * 1048576, 1048576, nbd.CMD_FLAG_FAST_ZERO)",
                        "chunks = []",
                        "h.pread_structured(8192, 1048576,"
                                + " lambda sub, off, status, err: chunks.append((len(sub), off, status)), nbd.CMD_FLAG_DF)",
                        "print('chunks', chunks == [(8192, 1048576, nbd.READ_HOLE)])",
                        "extents = []",
                        "h.block_status(8 * 1048576, 0,"
                                + " lambda ctx, off, e, err: extents.append((ctx, off, list(e))), nbd.CMD_FLAG_REQ_ONE)",
                        "print('extents', extents)",
                        "h.set_strict_mode(0)", // libnbd refuses zero lengths itself unless told not to
                        "print('empty', len(h.pread(0, 4096)))",
                        "h.pwrite(b'', 4096); h.trim(0, 4096); h.zero(0, 4096); h.cache(0, 4096)",
                        "try:",
                        "    h.block_status(0, 0, lambda ctx, off, e, err: 0)",
                        "except nbd.Error as e:",
                        "    print('status of nothing', e.errnum)",
                        "print('after', h.pread(4096, 0) == h.pread(4096, 0))"));
        assertTrue(out.contains("negotiated True True True True True"), out);
        assertTrue(out.contains("chunks True"), "the zeroed range came back as one hole chunk:\n" + out);
        assertTrue(out.contains("extents [('base:allocation', 0, [1048576, 0])]"), "REQ_ONE: one extent\n" + out);
        assertTrue(out.contains("empty 0"), out);
        assertTrue(out.contains("status of nothing 22"), "a zero-length block status is EINVAL:\n" + out);
        assertTrue(out.contains("after True"), "the connection goes on:\n" + out);
        byte[] expected = new byte[SIZE];
        new Random(3).nextBytes(expected);
        Arrays.fill(expected, MIB, 5 * MIB, (byte) 0);
        assertArrayEquals(expected, deviceContents());
        assertEquals(
                List.of("0 1048576 data", "1048576 4194304 hole,zero", "5242880 11534336 data"),
                map(),
                "the fast zero made a hole");
    }
}
