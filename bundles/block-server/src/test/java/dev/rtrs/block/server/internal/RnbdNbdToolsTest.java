package dev.rtrs.block.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.block.client.internal.MappedDevice;
import dev.rtrs.block.client.internal.nbd.NbdExports;
import dev.rtrs.block.client.internal.nbd.NbdServer;
import dev.rtrs.block.protocol.AccessMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapped RNBD device served by the NBD gateway to the real tools of Debian's libnbd-bin, fio and qemu-utils:
 * every byte goes tool, NBD, RNBD client, RTRS over the TCP verbs provider, RNBD server, memory export.
 */
@Timeout(300)
class RnbdNbdToolsTest {

    private static final int SIZE = 16 * 1024 * 1024;

    @TempDir
    Path dir;

    private RnbdFixture f;
    private NbdServer gateway;
    private MappedDevice device;
    private String base;

    @BeforeEach
    void start() throws Exception {
        f = new RnbdFixture(dir);
        device = f.map("demo", "nbd-session", "mem", AccessMode.RW);
        MappedDevice ro = f.map("demo-ro", "nbd-ro-session", "mem", AccessMode.RO);
        gateway = new NbdServer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), new NbdExports() {
            @Override
            public List<BlockDevice> list() {
                return List.of(device, ro);
            }

            @Override
            public BlockDevice find(String name) {
                return name.equals("demo") ? device : name.equals("demo-ro") ? ro : null;
            }
        });
        base = "nbd://127.0.0.1:" + gateway.localAddress().getPort();
    }

    @AfterEach
    void stop() {
        gateway.close();
        f.close();
    }

    @Test
    void nbdinfoListsTheExportWithItsSize() throws Exception {
        String list = NbdTools.run(List.of("nbdinfo", "--list", base));
        assertTrue(list.contains("demo"), list);
        String info = NbdTools.run(List.of("nbdinfo", base + "/demo"));
        assertTrue(info.contains("export-size: " + SIZE), info);
        assertTrue(info.contains("can_multi_conn: true"), info);
        String ro = NbdTools.run(List.of("nbdinfo", base + "/demo-ro"));
        assertTrue(ro.contains("is_read_only: true"), ro);
    }

    @Test
    void aMappedDeviceIsAllDataToNbdinfoMap() throws Exception {
        // the server's memory export has holes, but RNBD 2.0 has no message to ask for them: all data
        assertEquals(0, RnbdFixture.write(device, 4096, ByteBuffer.allocate(4096), 0));
        assertEquals(0, RnbdFixture.discard(device, 1 << 20, 1 << 20));
        String map = NbdTools.run(List.of("nbdinfo", "--map", base + "/demo"));
        assertEquals(
                List.of("0", Integer.toString(SIZE), "0", "data"),
                List.of(map.trim().split("\\s+")),
                map);
    }

    @Test
    void nbdcopyOfRandomDataInAndOutComparesEqual() throws Exception {
        byte[] data = new byte[SIZE];
        new Random(11).nextBytes(data);
        Path in = dir.resolve("in.bin");
        Path out = dir.resolve("out.bin");
        Files.write(in, data);
        NbdTools.run(List.of("nbdcopy", "--connections=2", in.toString(), base + "/demo"));
        NbdTools.run(List.of("nbdcopy", base + "/demo", out.toString()));
        assertArrayEquals(data, Files.readAllBytes(out));
        ByteBuffer direct = ByteBuffer.allocate(4096);
        assertEquals(0, RnbdFixture.read(device, SIZE - 4096, direct));
        byte[] tail = new byte[4096];
        System.arraycopy(data, SIZE - 4096, tail, 0, 4096);
        assertArrayEquals(tail, direct.array(), "the Java API sees what the NBD client wrote");
    }

    @Test
    void fioWithVerificationPasses() throws Exception {
        String out = NbdTools.run(List.of(
                "fio",
                "--name=verify",
                "--ioengine=nbd",
                "--uri=" + base + "/demo",
                "--rw=randrw",
                "--bs=4k",
                "--size=8m",
                "--iodepth=16",
                "--verify=crc32c",
                "--do_verify=1",
                "--verify_fatal=1",
                "--runtime=60"));
        assertTrue(out.contains("err= 0"), out);
    }

    @Test
    void qemuImgReadsTheDevice() throws Exception {
        byte[] data = new byte[1024 * 1024];
        new Random(12).nextBytes(data);
        assertEquals(0, RnbdFixture.write(device, 0, ByteBuffer.wrap(data), 0));
        String info = NbdTools.run(List.of("qemu-img", "info", "-f", "raw", base + "/demo"));
        assertTrue(info.contains("virtual size: 16 MiB"), info);
        Path out = dir.resolve("copy.raw");
        NbdTools.run(List.of("qemu-img", "convert", "-f", "raw", "-O", "raw", base + "/demo", out.toString()));
        byte[] copy = Files.readAllBytes(out);
        assertEquals(SIZE, copy.length);
        byte[] head = new byte[data.length];
        System.arraycopy(copy, 0, head, 0, head.length);
        assertArrayEquals(data, head);
    }
}
