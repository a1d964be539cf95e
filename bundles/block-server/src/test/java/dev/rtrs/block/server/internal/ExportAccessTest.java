package dev.rtrs.block.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.ExportStatistics;
import dev.rtrs.block.client.internal.MappedDevice;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.errno.Errno;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Who may open an export (client address ranges), and what is counted of opens and errors. */
@Timeout(60)
class ExportAccessTest {

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

    private static InetAddress ip(String a) throws Exception {
        return InetAddress.getByName(a);
    }

    @Test
    void rangesMatchAddressesByPrefixInBothFamilies() throws Exception {
        ClientRanges r = ClientRanges.parse("10.1.0.0/16, 192.168.7.9", "fd00::/8");
        assertTrue(r.allowsAll(List.of(ip("10.1.200.3"), ip("192.168.7.9"), ip("fd12::1"))));
        assertFalse(r.allowsAll(List.of(ip("10.2.0.1"))));
        assertFalse(r.allowsAll(List.of(ip("192.168.7.10"))));
        assertFalse(r.allowsAll(List.of(ip("10.1.0.1"), ip("127.0.0.1"))), "every address must be allowed");
        assertTrue(ClientRanges.parse("10.0.0.0/7").allowsAll(List.of(ip("11.255.0.1"))));
        assertFalse(ClientRanges.parse("10.0.0.0/7").allowsAll(List.of(ip("12.0.0.1"))));
        assertTrue(ClientRanges.parse().allowsAll(List.of(ip("8.8.8.8"))), "no range: anyone");
        assertTrue(ClientRanges.parse("0.0.0.0/0").allowsAll(List.of(ip("8.8.8.8"))));
    }

    @Test
    void badRangesAreRefusedWithTheirText() {
        // host names and what only a name service could make of ("beef", "10.0.0.300") are never looked up
        for (String bad : List.of(
                "10.0.0.0/33",
                "fd00::/129",
                "10.0.0.0/x",
                "example.com",
                "10.0.0.0/-1",
                "beef",
                "10.0.0.300/24",
                "10.0.0/24",
                "1::2::3")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ClientRanges.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }

    @Test
    void anExportOpensOnlyForSessionsFromItsAllowedClients() throws Exception {
        f.registry.addDefinition(new ExportDefinition("lan-only", "memory", Map.of("size", "1M"), false, Set.of())
                .withAllowedClients(ClientRanges.parse("10.0.0.0/8")));
        f.registry.addDefinition(new ExportDefinition("loopback", "memory", Map.of("size", "1M"), false, Set.of())
                .withAllowedClients(ClientRanges.parse("127.0.0.0/8")));
        BlockException e = assertThrows(BlockException.class, () -> f.map("a", "s1", "lan-only", AccessMode.RW));
        assertEquals(Errno.EACCES, e.errno(), e.getMessage());
        MappedDevice d = f.map("b", "s1", "loopback", AccessMode.RW);
        assertEquals(0, RnbdFixture.write(d, 0, ByteBuffer.allocate(4096), 0));

        Map<String, ExportStatistics> stats = f.registry.statistics();
        assertEquals(new ExportStatistics(0, 1, 0), stats.get("lan-only"));
        assertEquals(new ExportStatistics(1, 0, 0), stats.get("loopback"));
    }

    @Test
    void searchPathFilesFollowTheServersClientRanges() throws Exception {
        Files.write(dir.resolve("disk.img"), new byte[1024 * 1024]);
        f.registry.searchPathClients(ClientRanges.parse("192.168.0.0/16"));
        BlockException e = assertThrows(BlockException.class, () -> f.map("a", "s1", "disk.img", AccessMode.RO));
        assertEquals(Errno.EACCES, e.errno());
        f.registry.searchPathClients(ClientRanges.parse("127.0.0.1"));
        f.map("b", "s2", "disk.img", AccessMode.RO);
        ExportStatistics s =
                f.registry.statistics().get(dir.resolve("disk.img").toRealPath().toString());
        assertEquals(new ExportStatistics(1, 1, 0), s);
        assertFalse(
                f.registry.statistics().keySet().stream().anyMatch(n -> n.contains("no-such")),
                "names that lead nowhere are not counted");
    }

    @Test
    void ioErrorsOfTheBackendAreCountedPerExport() throws Exception {
        MappedDevice d = f.map("a", "s1", "mem", AccessMode.RW);
        f.registry.removeBackend(f.memory);
        assertEquals(Errno.EIO, RnbdFixture.write(d, 0, ByteBuffer.allocate(4096), 0));
        f.registry.addBackend(f.memory);
        assertEquals(0, RnbdFixture.write(d, 0, ByteBuffer.allocate(4096), 0));
        assertEquals(new ExportStatistics(1, 0, 1), f.registry.statistics().get("mem"));
    }
}
