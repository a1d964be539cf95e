package dev.rtrs.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockException;
import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.block.RnbdServerAdmin.ExportInfo;
import dev.rtrs.block.RnbdServerAdmin.ExportRequest;
import dev.rtrs.block.protocol.AccessMode;
import dev.rtrs.errno.Errno;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.json.JsonArray;
import javax.json.JsonObject;
import javax.json.JsonString;
import javax.json.JsonValue;
import org.junit.jupiter.api.Test;

/** The rnbd:* commands over admin services that record what they are asked and refuse as the real ones do. */
class BlockCommandsTest {

    private final FakeClient client = new FakeClient();

    @Test
    void devicesAsJsonWithNbdUriAndOpenCount() throws Exception {
        ListDevicesCommand list = new ListDevicesCommand();
        list.client = client;
        list.json = true;
        JsonArray devices = (JsonArray) Shell.json(list);
        assertEquals(2, devices.size());
        JsonObject demo = devices.getJsonObject(0);
        assertEquals("demo", demo.getString("name"));
        assertEquals("nbd://127.0.0.1:10809/demo", demo.getString("nbdUri"));
        assertEquals(2, demo.getInt("openCount"));
        assertEquals(268435456L, demo.getJsonNumber("size").longValue());
        assertEquals("RW", demo.getString("accessMode"));
        JsonObject pending = devices.getJsonObject(1);
        assertEquals(JsonValue.NULL, pending.get("size"));
        assertEquals(JsonValue.NULL, pending.get("nbdUri"));
        assertEquals("MAPPING", pending.getString("state"));

        list.json = false;
        String table = Shell.run(list);
        assertTrue(table.contains("nbd://127.0.0.1:10809/demo"), table);
    }

    @Test
    void unmapRefusesAnOpenDeviceUnlessForced() throws Exception {
        UnmapDeviceCommand unmap = new UnmapDeviceCommand();
        unmap.client = client;
        unmap.name = "demo";
        BlockException busy = assertThrows(BlockException.class, () -> Shell.run(unmap));
        assertEquals(Errno.EBUSY, busy.errno());
        assertEquals(List.of(), client.unmapped);
        unmap.force = true;
        assertTrue(Shell.run(unmap).startsWith("Unmapped demo"));
        assertEquals(List.of("demo"), client.unmapped);
        unmap.name = "nope";
        assertEquals(
                Errno.ENOENT,
                assertThrows(BlockException.class, () -> Shell.run(unmap)).errno());
    }

    @Test
    void remapAndResizeReportTheServersAnswer() throws Exception {
        RemapDeviceCommand remap = new RemapDeviceCommand();
        remap.client = client;
        remap.name = "demo";
        assertEquals(
                Errno.EALREADY,
                assertThrows(BlockException.class, () -> Shell.run(remap)).errno());

        ResizeDeviceCommand resize = new ResizeDeviceCommand();
        resize.client = client;
        resize.name = "demo";
        assertEquals("Resized demo: 268435456 -> 536870912 bytes\n", Shell.run(resize));
        resize.name = "nope";
        assertEquals(
                Errno.ENOENT,
                assertThrows(BlockException.class, () -> Shell.run(resize)).errno());
    }

    @Test
    void exportsAndOpenDevicesAsJson() throws Exception {
        FakeServer server = new FakeServer();
        ListExportsCommand exports = new ListExportsCommand();
        exports.server = server;
        exports.json = true;
        JsonObject doc = Shell.json(exports).asJsonObject();
        assertEquals("/var/lib/rnbd", doc.getString("devSearchPath"));
        JsonObject demo = doc.getJsonArray("exports").getJsonObject(0);
        assertEquals("memory", demo.getString("backend"));
        assertEquals("256M", demo.getJsonObject("parameters").getString("size"));
        assertEquals("rw", demo.getString("accessMode"));
        assertEquals(268435456L, demo.getJsonNumber("size").longValue());
        assertEquals(0, demo.getJsonArray("allowedClients").size(), "empty: any client");
        assertEquals("client1", demo.getJsonArray("sessions").getString(0));
        JsonObject disk = doc.getJsonArray("exports").getJsonObject(1);
        assertEquals(JsonValue.NULL, disk.get("size"), "not known");
        assertEquals(
                List.of("10.0.0.0/24", "::1/128"),
                disk.getJsonArray("allowedClients").getValuesAs(JsonString.class).stream()
                        .map(JsonString::getString)
                        .toList());

        ListOpenDevicesCommand open = new ListOpenDevicesCommand();
        open.server = server;
        open.json = true;
        JsonObject first = ((JsonArray) Shell.json(open)).getJsonObject(0);
        assertEquals("client1", first.getString("session"));
        assertEquals(0, first.getInt("deviceId"));
    }

    @Test
    void exportsTableShowsSizesAndAllowedClients() throws Exception {
        ListExportsCommand exports = new ListExportsCommand();
        exports.server = new FakeServer();
        String table = Shell.run(exports);
        List<String> header = cells(table.lines().findFirst().orElseThrow());
        assertEquals("Size", header.get(3), table);
        assertEquals("Allowed clients", header.get(8), table);
        List<String> demo = row(table, "demo");
        assertEquals("256.0 MiB", demo.get(3), table);
        assertEquals("any", demo.get(8), table);
        List<String> disk = row(table, "disk");
        assertEquals("-", disk.get(3), table);
        assertEquals("10.0.0.0/24,::1/128", disk.get(8), table);
    }

    @Test
    void addExportPassesAllowedClientsAndAMalformedRangeChangesNothing() throws Exception {
        FakeServer server = new FakeServer();
        AddExportCommand add = new AddExportCommand();
        add.server = server;
        add.name = "lan";
        add.parameters = List.of("size=1G");
        add.allowedClients = List.of("10.0.0.0/24,127.0.0.1/32", "::1/128");
        assertEquals("Added export lan (memory, allowed clients 10.0.0.0/24,127.0.0.1/32,::1/128)\n", Shell.run(add));
        assertEquals(
                List.of("10.0.0.0/24,127.0.0.1/32", "::1/128"),
                server.requests.get(0).allowedClients());
        assertEquals(List.of("size=1G"), server.requests.get(0).parameters());

        add.name = "wan";
        add.allowedClients = List.of("10.0.0.0/24", "10.0.0.0/33");
        BlockException bad = assertThrows(BlockException.class, () -> Shell.run(add));
        assertEquals(Errno.EINVAL, bad.errno());
        assertTrue(bad.getMessage().contains("'10.0.0.0/33'"), bad.getMessage());
        assertEquals(
                List.of("demo", "disk", "lan"),
                server.exports().stream().map(ExportInfo::name).toList());

        add.name = "any";
        add.allowedClients = List.of();
        assertEquals("Added export any (memory)\n", Shell.run(add));
        assertEquals(List.of(), server.requests.get(1).allowedClients());
    }

    /** The cells of the first table row whose first cell is {@code name}. */
    private static List<String> row(String table, String name) {
        return table.lines()
                .map(BlockCommandsTest::cells)
                .filter(c -> c.get(0).equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name + " in\n" + table));
    }

    private static List<String> cells(String line) {
        return Arrays.stream(line.split("[│|]", -1)).map(String::trim).toList();
    }

    /** A mapped device "demo" that two NBD connections use, and one still being mapped. */
    static final class FakeClient implements RnbdClientAdmin {
        final List<String> unmapped = new ArrayList<>();
        long size = 268435456L;

        @Override
        public List<MappedDeviceInfo> devices() {
            List<MappedDeviceInfo> list = new ArrayList<>();
            if (!unmapped.contains("demo")) {
                list.add(new MappedDeviceInfo("demo", "demo", "demo", AccessMode.RW, size, MappedDeviceState.MAPPED));
            }
            list.add(new MappedDeviceInfo("later", "s2", "disk", null, -1, MappedDeviceState.MAPPING));
            return list;
        }

        @Override
        public MappedDeviceInfo map(MapRequest request, long timeoutMs) throws BlockException {
            throw new BlockException(Errno.EINVAL, "not in this test");
        }

        @Override
        public void unmap(String name) throws BlockException {
            unmap(name, true);
        }

        @Override
        public void unmap(String name, boolean force) throws BlockException {
            if (devices().stream().noneMatch(d -> d.name().equals(name))) {
                throw new BlockException(Errno.ENOENT, "no mapped device named " + name);
            }
            if (openCount(name) > 0 && !force) {
                throw new BlockException(Errno.EBUSY, name + " is open");
            }
            unmapped.add(name);
        }

        @Override
        public int openCount(String name) {
            return name.equals("demo") ? 2 : 0;
        }

        @Override
        public String nbdUri(String name) {
            return name.equals("demo") ? "nbd://127.0.0.1:10809/demo" : null;
        }

        @Override
        public MappedDeviceInfo remap(String name) throws BlockException {
            throw new BlockException(Errno.EALREADY, name + " is mapped");
        }

        @Override
        public MappedDeviceInfo resize(String name) throws BlockException {
            if (!name.equals("demo")) {
                throw new BlockException(Errno.ENOENT, "no mapped device named " + name);
            }
            size = 536870912L;
            return devices().get(0);
        }

        @Override
        public List<String> setPolicy(String session, String policy) {
            return List.of();
        }
    }

    /**
     * A memory export that session client1 has open, and a file export only some clients may open; added exports
     * follow, refused as the real server refuses a malformed client range.
     */
    static final class FakeServer implements RnbdServerAdmin {
        final List<ExportRequest> requests = new ArrayList<>();

        @Override
        public List<ExportInfo> exports() {
            List<ExportInfo> list = new ArrayList<>();
            list.add(new ExportInfo(
                    "demo", "memory", Map.of("size", "256M"), false, true, 1, true, 268435456L, List.of()));
            list.add(new ExportInfo(
                    "disk",
                    "file",
                    Map.of("path", "/srv/disk.img"),
                    true,
                    true,
                    0,
                    false,
                    -1,
                    List.of("10.0.0.0/24", "::1/128")));
            for (ExportRequest r : requests) {
                list.add(new ExportInfo(r.name(), r.backend(), Map.of(), r.readOnly(), true, 0, true, -1, ranges(r)));
            }
            return list;
        }

        private static List<String> ranges(ExportRequest r) {
            return r.allowedClients().stream()
                    .flatMap(c -> Arrays.stream(c.split(",")))
                    .map(String::trim)
                    .toList();
        }

        @Override
        public List<OpenDeviceInfo> openDevices() {
            return List.of(new OpenDeviceInfo("client1", 0, "demo", "RW"));
        }

        @Override
        public String devSearchPath() {
            return "/var/lib/rnbd";
        }

        @Override
        public ExportInfo addExport(ExportRequest request, long timeoutMs) throws BlockException {
            for (String range : ranges(request)) {
                if (!range.matches("[0-9.]+/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:]+/[0-9]{1,3}")) {
                    throw new BlockException(
                            Errno.EINVAL, "export " + request.name() + ": client range '" + range + "' is wrong");
                }
            }
            requests.add(request);
            return exports().get(exports().size() - 1);
        }

        @Override
        public void removeExport(String name) throws BlockException {
            throw new BlockException(Errno.ENOENT, name);
        }

        @Override
        public boolean closeSession(String sessionName) {
            return false;
        }
    }
}
