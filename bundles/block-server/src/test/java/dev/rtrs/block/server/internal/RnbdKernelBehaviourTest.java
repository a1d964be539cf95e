package dev.rtrs.block.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.client.internal.MappedDevice;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.block.protocol.IoOperation;
import dev.rtrs.block.protocol.RnbdClose;
import dev.rtrs.block.protocol.RnbdCodec;
import dev.rtrs.block.protocol.RnbdOpen;
import dev.rtrs.block.protocol.RnbdOpenRsp;
import dev.rtrs.block.protocol.RnbdSessInfo;
import dev.rtrs.block.protocol.RnbdSessInfoRsp;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.Direction;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The RNBD server answers as the kernel's rnbd-srv does where the protocol leaves room for choice. */
@Timeout(60)
class RnbdKernelBehaviourTest {

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

    @Test
    void sessInfoAnswersTheLowerOfTheTwoVersions() throws Exception {
        try (RawRnbd raw = new RawRnbd(f, "versions")) {
            for (int[] asked : new int[][] {{1, 1}, {2, 2}, {3, 2}, {255, 2}}) {
                ByteBuffer info = ByteBuffer.allocate(RnbdSessInfo.SIZE);
                RnbdCodec.encode(new RnbdSessInfo(asked[0]), info, 0);
                ByteBuffer rsp = ByteBuffer.allocate(RnbdSessInfoRsp.SIZE);
                assertEquals(0, raw.request(Direction.READ, info, rsp));
                assertEquals(asked[1], rsp.get(4), "client version " + asked[0]);
            }
        }
    }

    @Test
    void openingAnOpenDeviceAgainReturnsItAndClosingAnUnknownIdIsNoError() throws Exception {
        try (RawRnbd raw = new RawRnbd(f, "twice")) {
            int first = raw.open("mem", AccessMode.RW);
            assertEquals(first, raw.open("mem", AccessMode.RO), "the device the session has open");
            ByteBuffer close = ByteBuffer.allocate(RnbdClose.SIZE);
            RnbdCodec.encode(new RnbdClose(first + 1000), close, 0);
            assertEquals(0, raw.request(Direction.WRITE, close));
        }
        assertEquals(
                Errno.EEXIST,
                assertThrows(BlockException.class, () -> {
                            f.map("a", "s1", "mem", AccessMode.RO);
                            f.map("b", "s1", "mem", AccessMode.RO);
                        })
                        .errno(),
                "the client refuses a second mapping of one device in one session, as the kernel's");
    }

    @Test
    void writeZeroesIsAdvertisedAndZeroesWithoutData() throws Exception {
        try (RawRnbd raw = new RawRnbd(f, "zeroes")) {
            ByteBuffer msg = ByteBuffer.allocate(RnbdOpen.SIZE);
            RnbdCodec.encode(new RnbdOpen(AccessMode.RW, "mem"), msg, 0);
            ByteBuffer rsp = ByteBuffer.allocate(RnbdOpenRsp.SIZE);
            assertEquals(0, raw.request(Direction.READ, msg, rsp));
            RnbdOpenRsp open = RnbdCodec.decodeOpenRsp(rsp, 0, rsp.capacity());
            assertEquals((RnbdFixture.CHUNK - 4096) / 512, open.maxWriteZeroesSectors());
            int id = open.deviceId();

            byte[] ones = new byte[8192];
            Arrays.fill(ones, (byte) 0xFF);
            assertEquals(
                    0,
                    raw.request(
                            Direction.WRITE,
                            RawRnbd.io(id, 0, IoOperation.WRITE.wireValue(), 8192),
                            ByteBuffer.wrap(ones)));
            assertEquals(
                    0, raw.request(Direction.WRITE, RawRnbd.io(id, 1, IoOperation.WRITE_ZEROES.wireValue(), 4096)));
            ByteBuffer back = ByteBuffer.allocate(8192);
            assertEquals(0, raw.request(Direction.READ, RawRnbd.io(id, 0, IoOperation.READ.wireValue(), 8192), back));
            byte[] expected = ones.clone();
            Arrays.fill(expected, 512, 512 + 4096, (byte) 0);
            assertArrayEquals(expected, back.array());

            assertEquals(
                    Errno.EOPNOTSUPP,
                    raw.request(Direction.WRITE, RawRnbd.io(id, 0, IoOperation.SECURE_ERASE.wireValue(), 4096)),
                    "no secure erase is faked by a discard");
        }
    }

    @Test
    void theClientZeroesWithWriteZeroesWhenTheServerAdvertisesIt() throws Exception {
        MappedDevice d = f.map("z", "zero-client", "mem", AccessMode.RW);
        byte[] ones = new byte[256 * 1024];
        Arrays.fill(ones, (byte) 0xFF);
        assertEquals(0, RnbdFixture.write(d, 0, ByteBuffer.wrap(ones), 0));
        long before = writeBytes("zero-client");
        assertEquals(0, RnbdFixture.writeZeroes(d, 0, ones.length));
        assertEquals(before, writeBytes("zero-client"), "no data travelled for the zeroes");
        ByteBuffer back = ByteBuffer.allocate(ones.length);
        assertEquals(0, RnbdFixture.read(d, 0, back));
        assertArrayEquals(new byte[ones.length], back.array());
    }

    private long writeBytes(String session) {
        return f.server.session(session).orElseThrow().paths().stream()
                .mapToLong(p -> p.statistics().writeBytes())
                .sum();
    }

    @Test
    void responsesCarryNoStaleChunkBytesInTheirReservedFields() throws Exception {
        try (RawRnbd raw = new RawRnbd(f, "stale")) {
            int id = raw.open("mem", AccessMode.RW);
            byte[] ones = new byte[4096];
            Arrays.fill(ones, (byte) 0xFF);
            // the chunk that carries the next OPEN held 0xFF bytes a moment before
            assertEquals(
                    0,
                    raw.request(
                            Direction.WRITE,
                            RawRnbd.io(id, 0, IoOperation.WRITE.wireValue(), 4096),
                            ByteBuffer.wrap(ones)));
            ByteBuffer msg = ByteBuffer.allocate(RnbdOpen.SIZE);
            RnbdCodec.encode(new RnbdOpen(AccessMode.RO, "mem-ro"), msg, 0);
            ByteBuffer rsp = ByteBuffer.allocate(RnbdOpenRsp.SIZE);
            assertEquals(0, raw.request(Direction.READ, msg, rsp));
            for (int i = 46; i < RnbdOpenRsp.SIZE; i++) {
                assertEquals(0, rsp.get(i), "reserved byte " + i);
            }
        }
    }

    @Test
    void anAbsoluteDeviceNameIsTakenUnderTheSearchPath() throws Exception {
        Files.createDirectories(dir.resolve("dev"));
        Files.write(dir.resolve("dev/disk"), new byte[1024 * 1024]);
        MappedDevice d = f.map("abs", "s1", "/dev/disk", AccessMode.RO);
        assertEquals(1024 * 1024, d.size());
        assertEquals(
                Errno.EINVAL,
                assertThrows(BlockException.class, () -> f.map("up", "s2", "/../etc/passwd", AccessMode.RO))
                        .errno());
    }
}
