package dev.rtrs.block.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.RnbdServerAdmin.OpenDeviceInfo;
import dev.rtrs.block.protocol.AccessMode;
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

/** What the server's admin view shows: configured and search-path exports with their openers, and open devices. */
@Timeout(60)
class RnbdServerAdminTest {

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

    private ExportInfo export(String name) {
        return f.registry.exportInfos().stream()
                .filter(e -> e.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no export " + name + " in " + f.registry.exportInfos()));
    }

    @Test
    void configuredExportsAreListedBeforeAnyoneOpensThem() {
        List<ExportInfo> exports = f.registry.exportInfos();
        assertEquals(
                List.of("mem", "mem-ro", "private"),
                exports.stream().map(ExportInfo::name).toList());
        assertEquals(
                new ExportInfo("mem-ro", "memory", Map.of("size", "1M"), true, true, 0, true, -1, List.of()),
                export("mem-ro"),
                "nobody opened it yet: its size is not known");
        assertTrue(f.core.openDevices().isEmpty());
    }

    @Test
    void openersAndSearchPathExportsShowAndGoWithTheirMappings() throws Exception {
        Path file = dir.resolve("disk.img");
        Files.write(file, new byte[1024 * 1024]);
        f.map("a", "s1", "mem", AccessMode.RW);
        f.map("b", "s2", "mem", AccessMode.RO);
        f.map("c", "s2", "disk.img", AccessMode.RO);

        assertEquals(2, export("mem").openCount());
        ExportInfo onFile = export(file.toRealPath().toString());
        assertFalse(onFile.configured(), "a search-path export is listed while open, as not configured");
        assertEquals("file", onFile.backend());
        assertEquals(1, onFile.openCount());
        assertEquals(
                List.of(
                        new OpenDeviceInfo("s1", 0, "mem", "RW"),
                        new OpenDeviceInfo("s2", 0, "mem", "RO"),
                        new OpenDeviceInfo("s2", 1, "disk.img", "RO")),
                f.core.openDevices());

        f.client.unmap("c");
        f.client.unmap("b");
        assertEquals(1, export("mem").openCount());
        assertTrue(
                f.registry.exportInfos().stream().noneMatch(e -> e.name().equals(onFile.name())),
                "the search-path export leaves the list with its last opener");
        assertEquals(List.of(new OpenDeviceInfo("s1", 0, "mem", "RW")), f.core.openDevices());
    }

    @Test
    void sizesComeFromTheOpenStorageOrAFileExportsFile() throws Exception {
        Path file = dir.resolve("sized.img");
        Files.write(file, new byte[3 * 4096]);
        f.registry.addDefinition(
                new ExportDefinition("on-file", "file", Map.of("path", file.toString()), false, Set.of()));
        f.registry.addDefinition(new ExportDefinition(
                "no-file", "file", Map.of("path", dir.resolve("absent.img").toString()), false, Set.of()));
        assertEquals(3 * 4096, export("on-file").sizeBytes(), "the file's length before anyone opens it");
        assertEquals(-1, export("no-file").sizeBytes());
        assertEquals(-1, export("mem").sizeBytes());

        f.map("a", "s1", "mem", AccessMode.RW);
        f.map("b", "s1", "on-file", AccessMode.RO);
        Files.write(dir.resolve("search.img"), new byte[5 * 4096]);
        f.map("c", "s1", "search.img", AccessMode.RO);
        assertEquals(16L << 20, export("mem").sizeBytes());
        assertEquals(3 * 4096, export("on-file").sizeBytes());
        assertEquals(
                5 * 4096,
                export(dir.resolve("search.img").toRealPath().toString()).sizeBytes());

        // the memory storage stays open while configured, so its size stays known without its opener
        f.client.unmap("a");
        assertEquals(16L << 20, export("mem").sizeBytes());
        f.registry.removeBackend(f.memory);
        assertEquals(-1, export("mem").sizeBytes(), "no size while its backend is gone");
    }

    @Test
    void allowedClientsAreListedAsConfigured() {
        f.registry.addDefinition(new ExportDefinition("lan", "memory", Map.of("size", "1M"), false, Set.of())
                .withAllowedClients(ClientRanges.parse("10.0.0.0/24, ::1/128", "127.0.0.1/32")));
        assertEquals(
                List.of("10.0.0.0/24", "::1/128", "127.0.0.1/32"), export("lan").allowedClients());
        assertEquals(List.of(), export("mem").allowedClients(), "empty: any client");
    }

    @Test
    void anExportIsUnavailableWhileItsBackendIsGone() throws Exception {
        f.map("a", "s1", "mem", AccessMode.RW);
        f.registry.removeBackend(f.memory);
        assertFalse(export("mem").available(), "open export without its device");
        assertFalse(export("mem-ro").available(), "configured export whose backend is absent");
        assertEquals(1, export("mem").openCount(), "its opener keeps the mapping");
        f.registry.addBackend(f.memory);
        assertTrue(export("mem").available());
        assertTrue(export("mem-ro").available());
    }
}
