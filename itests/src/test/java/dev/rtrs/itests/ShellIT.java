package dev.rtrs.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.test.support.Await;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.inject.Inject;
import javax.json.Json;
import javax.json.JsonArray;
import javax.json.JsonObject;
import javax.json.JsonReader;
import javax.json.JsonString;
import javax.json.JsonStructure;
import javax.json.JsonValue;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The rtrs:* and rnbd:* commands against the appliance's demo (the server exports memory device {@code demo}, the
 * client maps it as {@code demo} through session {@code demo} over 127.0.0.1 and 127.0.0.2), asserted on their
 * output, and on the services and configurations behind it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT extends ApplianceTestSupport {

    private static final int EROFS = 30;

    @Inject
    protected ConfigurationAdmin configurationAdmin;

    // ---- the demo ----

    @Test
    public void listingsShowTheDemo() throws Exception {
        awaitDemoWorking();
        String providers = executeCommandWithRetry("rtrs:providers");
        assertEquals(
                providers,
                "tcp",
                row(table(providers, "Provider"), "Provider", "tcp").get("Provider"));

        String sessions = executeCommand("rtrs:sessions");
        Map<String, String> session = row(table(sessions, "Session", "Policy"), "Session", "demo");
        assertEquals(sessions, "CONNECTED", session.get("State"));
        assertEquals(sessions, "2", session.get("Paths"));
        List<Map<String, String>> paths = rows(table(sessions, "Session", "Path"), "Session", "demo");
        assertEquals(sessions, 2, paths.size());
        assertTrue(sessions, paths.stream().anyMatch(p -> p.get("Path").endsWith("@127.0.0.1")));
        assertTrue(sessions, paths.stream().anyMatch(p -> p.get("Path").endsWith("@127.0.0.2")));
        assertTrue(sessions, paths.stream().allMatch(p -> p.get("State").equals("CONNECTED")));

        String servers = executeCommand("rtrs:servers");
        Map<String, String> server = table(servers, "Server", "Chunk size").get(0);
        assertTrue(servers, server.get("Server").contains("127.0.0.1:" + rnbdPort()));
        assertTrue(servers, server.get("Server").contains("127.0.0.2:" + rnbdPort()));
        assertEquals(servers, "on", server.get("Always invalidate"));
        assertEquals(
                servers,
                2,
                rows(table(servers, "Server", "Session"), "Session", "demo").size());

        String exports = executeCommand("rnbd:exports");
        Map<String, String> export = row(table(exports, "Name", "Backend"), "Name", "demo");
        assertEquals(exports, "memory", export.get("Backend"));
        assertEquals(exports, "yes", export.get("Configured"));
        assertEquals(exports, "1", export.get("Open"));
        assertEquals(exports, "yes", export.get("Available"));

        String open = executeCommand("rnbd:open-devices");
        Map<String, String> device = row(table(open, "Session", "Device id"), "Session", "demo");
        assertEquals(open, "demo", device.get("Device"));
        assertEquals(open, "RW", device.get("Access mode"));

        String devices = executeCommand("rnbd:devices");
        Map<String, String> mapped = row(table(devices, "Name", "Device path"), "Name", "demo");
        assertEquals(devices, "mapped", mapped.get("State"));
        assertEquals(devices, "RW", mapped.get("Access mode"));
        assertEquals(devices, Long.toString(256L * 1024 * 1024), mapped.get("Size"));
    }

    @Test
    public void aSecondDeviceIsMappedAsAServiceAndUnmappedWithItsConfiguration() throws Exception {
        BlockDevice demo = awaitDemoWorking();
        byte[] data = random(64 * 1024, 2);
        assertEquals(0, sync(f -> demo.write(1 << 20, ByteBuffer.wrap(data), BlockDevice.FUA, f::complete)));

        String out = executeCommandWithRetry(
                "rnbd:map --session demo2 --path 127.0.0.1 --port " + rnbdPort() + " --access-mode ro demo2 demo");
        assertTrue(out, out.contains("Mapped demo2: demo RO through session demo2"));
        BlockDevice demo2 = awaitService(BlockDevice.class, "(rnbd.device=demo2)");
        assertTrue(demo2.isReadOnly());
        ByteBuffer back = ByteBuffer.allocate(data.length);
        assertEquals(0, sync(f -> demo2.read(1 << 20, back, f::complete)));
        assertArrayEquals("demo2 reads what was written through demo", data, back.array());
        assertEquals(EROFS, sync(f -> demo2.write(0, ByteBuffer.allocate(4096), 0, f::complete)));

        String devices = executeCommand("rnbd:devices");
        Map<String, String> row = row(table(devices, "Name", "Device path"), "Name", "demo2");
        assertEquals(devices, "demo2", row.get("Session"));
        assertEquals(devices, "demo", row.get("Device path"));
        assertEquals(devices, "RO", row.get("Access mode"));
        assertEquals(devices, "mapped", row.get("State"));
        String exports = executeCommand("rnbd:exports");
        assertEquals(
                exports,
                "2",
                row(table(exports, "Name", "Backend"), "Name", "demo").get("Open"));
        assertEquals(1, configurations("demo2").length);
        assertError("rnbd:map --session demo2 --path 127.0.0.1 --port " + rnbdPort() + " demo2 demo", "EEXIST");

        out = executeCommand("rnbd:unmap demo2");
        assertTrue(out, out.contains("Unmapped demo2"));
        assertTrue(
                "its service is gone",
                bundleContext
                        .getServiceReferences(BlockDevice.class, "(rnbd.device=demo2)")
                        .isEmpty());
        assertNull("its configuration is gone", configurations("demo2"));
        devices = executeCommand("rnbd:devices");
        assertTrue(
                devices,
                rows(table(devices, "Name", "Device path"), "Name", "demo2").isEmpty());
        exports = executeCommand("rnbd:exports");
        assertEquals(
                exports,
                "1",
                row(table(exports, "Name", "Backend"), "Name", "demo").get("Open"));
        String sessions = executeCommand("rtrs:sessions");
        assertTrue(
                sessions,
                rows(table(sessions, "Session", "Policy"), "Session", "demo2").isEmpty());
        writeAndReadBack(demo, 2 << 20, 3);
    }

    @Test
    public void badInputsFailWithAClearErrorAndChangeNothing() throws Exception {
        BlockDevice demo = awaitDemoWorking();
        executeCommandWithRetry("rnbd:devices");
        String map = "rnbd:map --session probe --port " + rnbdPort();
        assertError(map + " --path 127.0.0.1 --access-mode rx bad1 demo", "access mode 'rx'", "EINVAL");
        assertError(map + " --path 127.0.0.1:99999 bad2 demo", "bad path '127.0.0.1:99999'", "EINVAL");
        assertError(map + " --path 127.0.0.1 'bad name' demo", "device name 'bad name'", "EINVAL");
        assertError("rnbd:unmap no-such-device", "no mapped device named no-such-device", "ENOENT");
        assertError("rnbd:close-session no-such-session", "no RNBD server session named 'no-such-session'");
        assertError("rtrs:reset-stats no-such-session", "no client or server session named 'no-such-session'");

        long start = System.nanoTime();
        assertError(map + " --path 127.0.0.1 nope1 no-such-device", "refused device no-such-device", "ENOENT");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("the server's refusal ends the map at once, not at its timeout: " + ms + " ms", ms < 15_000);
        // the server refuses a device that is already open in the session
        assertError(
                "rnbd:map --session demo --path 127.0.0.1 --port " + rnbdPort() + " --access-mode ro demo3 demo",
                "EEXIST");

        String devices = executeCommand("rnbd:devices");
        for (String name : new String[] {"bad1", "bad2", "nope1", "demo3"}) {
            assertNull(name + " left a configuration", configurations(name));
            assertTrue(
                    devices,
                    rows(table(devices, "Name", "Device path"), "Name", name).isEmpty());
        }
        assertEquals(
                devices,
                "mapped",
                row(table(devices, "Name", "Device path"), "Name", "demo").get("State"));
        writeAndReadBack(demo, 3 << 20, 4);
    }

    @Test
    public void anUnreachableServerTimesOutAndTheMappingStaysUntilUnmapped() throws Exception {
        BlockDevice demo = awaitDemoWorking();
        executeCommandWithRetry("rnbd:devices");
        int nobodyListens = freePort();
        assertError(
                "rnbd:map --session far --path 127.0.0.1 --port " + nobodyListens + " --timeout 3000 far1 demo",
                "far1 is not mapped after 3000 ms",
                "stays configured",
                "last attempt",
                "ETIMEDOUT");
        assertEquals("a link failure is retried, not a reason to forget the mapping", 1, configurations("far1").length);
        String devices = executeCommand("rnbd:devices");
        Map<String, String> far = row(table(devices, "Name", "Device path"), "Name", "far1");
        assertEquals(devices, "mapping", far.get("State"));
        assertEquals(devices, "-", far.get("Size"));

        String out = executeCommand("rnbd:unmap far1");
        assertTrue(out, out.contains("Unmapped far1"));
        assertNull(configurations("far1"));
        devices = executeCommand("rnbd:devices");
        assertTrue(
                devices,
                rows(table(devices, "Name", "Device path"), "Name", "far1").isEmpty());
        writeAndReadBack(demo, 6 << 20, 7);
    }

    @Test
    public void aClosedDemoSessionComesBackByReconnectAndRemap() throws Exception {
        BlockDevice demo = awaitDemoWorking();
        executeCommandWithRetry("rtrs:reset-stats demo");
        writeAndReadBack(demo, 4 << 20, 5);
        assertTrue(sum(clientPaths(), "Writes") > 0);
        String out = executeCommand("rtrs:reset-stats demo");
        assertTrue(out, out.contains("client session demo") && out.contains("server session demo"));
        assertEquals(0, sum(clientPaths(), "Writes"));
        assertEquals(0, sum(clientPaths(), "Reconnects"));

        out = executeCommand("rnbd:close-session demo");
        assertTrue(out, out.contains("Closed session demo"));
        Await.value(
                () -> sum(clientPaths(), "Reconnects") >= 2
                                && "mapped"
                                        .equals(row(
                                                        table(executeCommand("rnbd:devices"), "Name", "Device path"),
                                                        "Name",
                                                        "demo")
                                                .get("State"))
                        ? Boolean.TRUE
                        : null,
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(200),
                () -> "the demo session did not reconnect both paths and remap within " + TIMEOUT_MS + " ms");
        writeAndReadBack(demo, 5 << 20, 6);
        String open = executeCommand("rnbd:open-devices");
        assertEquals(
                open,
                "demo",
                row(table(open, "Session", "Device id"), "Session", "demo").get("Device"));
    }

    @Test
    public void sessionKnobsChangeTheRunningDemoAndItsConfiguration() throws Exception {
        BlockDevice demo = awaitDemoWorking();
        executeCommandWithRetry("rtrs:session demo");
        JsonObject session = json("rtrs:session --json demo").asJsonObject();
        assertEquals("demo", session.getString("name"));
        assertEquals(2, session.getJsonArray("paths").size());
        JsonObject device = byName(json("rnbd:devices --json").asJsonArray(), "demo");
        assertEquals("MAPPED", device.getString("state"));
        assertTrue(device.toString(), device.getString("nbdUri").matches("nbd://127\\.0\\.0\\.1:\\d+/demo"));
        assertEquals(0, device.getInt("openCount"));
        assertEquals(
                1,
                byName(json("rnbd:exports --json").asJsonObject().getJsonArray("exports"), "demo")
                        .getJsonArray("sessions")
                        .size());

        String out = executeCommand("rtrs:set-max-reconnect-attempts demo 50");
        assertTrue(out, out.contains("kept in the configuration of demo"));
        assertEquals("50", demoProperty("maxReconnectAttempts"));
        assertError("rtrs:set-max-reconnect-attempts demo 10000", "0 to 9999", "EINVAL");
        assertEquals(50, json("rtrs:session --json demo").asJsonObject().getInt("maxReconnectAttempts"));

        out = executeCommand("rtrs:disconnect-path demo 127.0.0.2");
        assertTrue(out, out.contains("runtime only"));
        writeAndReadBack(demo, 7 << 20, 8);
        assertError("rtrs:disconnect-path demo 127.0.0.2", "EALREADY");
        assertError("rtrs:disconnect-path demo 10.9.9.9", "session demo has no path '10.9.9.9'");
        executeCommand("rtrs:reconnect-path demo 127.0.0.2");

        out = executeCommand("rtrs:remove-path demo 127.0.0.2");
        assertTrue(out, out.contains("kept in the configuration of demo"));
        assertEquals("127.0.0.1", demoProperty("paths"));
        assertError("rtrs:remove-path demo 127.0.0.1", "last path", "EBUSY");
        assertError("rtrs:add-path demo 300.0.0.1", "'300.0.0.1' is not an IPv4 or IPv6 address");
        out = executeCommand("rtrs:add-path --port " + rnbdPort() + " demo 127.0.0.2");
        assertTrue(out, out.contains("kept in the configuration of demo"));
        assertEquals("127.0.0.1;127.0.0.2:" + rnbdPort(), demoProperty("paths"));
        JsonArray paths = json("rtrs:session --json demo").asJsonObject().getJsonArray("paths");
        assertEquals(paths.toString(), 2, paths.size());
        writeAndReadBack(demo, 8 << 20, 9);

        assertError("rnbd:remap demo", "EALREADY");
        out = executeCommand("rnbd:resize demo");
        assertTrue(out, out.contains("Size of demo unchanged: " + (256L << 20)));
        writeAndReadBack(demo, 9 << 20, 10);
        assertError("rnbd:unmap --force no-such-device", "ENOENT");

        JsonObject server = json("rtrs:servers --json").asJsonArray().getJsonObject(0);
        String path = byName(server.getJsonArray("sessions"), "demo")
                .getJsonArray("paths")
                .getJsonObject(0)
                .getString("uuid");
        out = executeCommand("rtrs:close-server-path demo " + path);
        assertTrue(out, out.contains("Closed path"));
        assertError("rtrs:close-server-session no-such-session", "no server session named 'no-such-session'");
        writeAndReadBack(demo, 10 << 20, 11);
        // the client reconnects the closed path by itself; the other tests expect the demo whole
        Await.value(
                () -> json("rtrs:session --json demo").asJsonObject().getJsonArray("paths").stream()
                                .allMatch(
                                        p -> p.asJsonObject().getString("state").equals("CONNECTED"))
                        ? Boolean.TRUE
                        : null,
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(200),
                () -> "the closed path did not reconnect");
    }

    @Test
    public void anExportAddedWithAllowedClientsIsListedWithThemAndEnforced() throws Exception {
        BlockDevice demo = awaitDemoWorking();
        executeCommandWithRetry("rnbd:exports");
        String out = executeCommand("rnbd:add-export --parameter size=8M --allowed-clients 127.0.0.1/32,::1/128"
                + " --allowed-clients 10.0.0.0/24 lan");
        assertTrue(out, out.contains("Added export lan (memory, allowed clients 127.0.0.1/32,::1/128,10.0.0.0/24)"));
        List<String> ranges = List.of("127.0.0.1/32", "::1/128", "10.0.0.0/24");
        JsonObject lan = byName(json("rnbd:exports --json").asJsonObject().getJsonArray("exports"), "lan");
        assertEquals(ranges, strings(lan.getJsonArray("allowedClients")));
        assertEquals("nobody opened it yet: its size is not known", JsonValue.NULL, lan.get("size"));
        assertArrayEquals("kept in its configuration", ranges.toArray(), (String[])
                exportConfiguration("lan").getProperties().get("allowedClients"));
        String table = executeCommand("rnbd:exports");
        Map<String, String> row = row(table(table, "Name", "Backend"), "Name", "lan");
        assertEquals(table, "127.0.0.1/32,::1/128,10.0.0.0/24", row.get("Allowed clients"));
        assertEquals(table, "-", row.get("Size"));
        Map<String, String> demoRow = row(table(table, "Name", "Backend"), "Name", "demo");
        assertEquals(table, "256.0 MiB", demoRow.get("Size"));
        assertEquals(table, "any", demoRow.get("Allowed clients"));

        // a session from 127.0.0.1 opens it; the export then has the size of its open storage
        out = executeCommand("rnbd:map --session lan --path 127.0.0.1 --port " + rnbdPort() + " lan lan");
        assertTrue(out, out.contains("Mapped lan"));
        lan = byName(json("rnbd:exports --json").asJsonObject().getJsonArray("exports"), "lan");
        assertEquals(8L << 20, lan.getJsonNumber("size").longValue());
        executeCommand("rnbd:unmap lan");

        executeCommand("rnbd:add-export --parameter size=1M --allowed-clients 10.0.0.0/24 lan-only");
        assertError(
                "rnbd:map --session lan2 --path 127.0.0.1 --port " + rnbdPort() + " lan2 lan-only",
                "lan-only",
                "EACCES");

        assertError(
                "rnbd:add-export --allowed-clients 127.0.0.1/32 --allowed-clients 10.0.0.0/33 bad",
                "'10.0.0.0/33'",
                "EINVAL");
        assertError("rnbd:add-export --allowed-clients intranet bad", "'intranet'", "EINVAL");
        JsonArray exports = json("rnbd:exports --json").asJsonObject().getJsonArray("exports");
        assertTrue(
                exports.toString(),
                exports.stream().noneMatch(e -> "bad".equals(e.asJsonObject().getString("name"))));
        assertNull("a refused export leaves no configuration", exportConfiguration("bad"));

        for (String name : new String[] {"lan", "lan-only"}) {
            // the unmapped session's close reaches the server a moment later
            Await.value(
                    () -> {
                        try {
                            return executeCommand("rnbd:remove-export " + name);
                        } catch (Exception e) {
                            return null;
                        }
                    },
                    Duration.ofMillis(TIMEOUT_MS),
                    Duration.ofMillis(200),
                    () -> "export " + name + " cannot be removed");
        }
        writeAndReadBack(demo, 11 << 20, 12);
    }

    // ---- helpers ----

    private static List<String> strings(JsonArray array) {
        return array.getValuesAs(JsonString.class).stream()
                .map(JsonString::getString)
                .toList();
    }

    /** The configuration of the export of that name, or null. */
    private Configuration exportConfiguration(String name) throws Exception {
        Configuration[] found = configurationAdmin.listConfigurations(
                "(&(service.factoryPid=dev.rtrs.block.server.Export)(name=" + name + "))");
        return found == null ? null : found[0];
    }

    /** A command's output, which must be one JSON document. */
    private JsonStructure json(String command) throws Exception {
        String out = executeCommand(command);
        try (JsonReader reader = Json.createReader(new StringReader(out.trim()))) {
            return reader.read();
        }
    }

    private static JsonObject byName(JsonArray list, String name) {
        for (int i = 0; i < list.size(); i++) {
            if (name.equals(list.getJsonObject(i).getString("name"))) {
                return list.getJsonObject(i);
            }
        }
        throw new AssertionError("no " + name + " in " + list);
    }

    private String demoProperty(String key) throws Exception {
        return String.valueOf(configurations("demo")[0].getProperties().get(key));
    }

    private int rnbdPort() throws Exception {
        Configuration[] c = configurationAdmin.listConfigurations("(service.pid=dev.rtrs.block.server.RnbdServer)");
        return Integer.parseInt(String.valueOf(c[0].getProperties().get("port")));
    }

    private Configuration[] configurations(String deviceName) throws Exception {
        return configurationAdmin.listConfigurations(
                "(&(service.factoryPid=dev.rtrs.block.client.MappedDevice)(name=" + deviceName + "))");
    }

    private List<Map<String, String>> clientPaths() throws Exception {
        return rows(table(executeCommand("rtrs:sessions"), "Session", "Path"), "Session", "demo");
    }

    private static long sum(List<Map<String, String>> rows, String column) {
        return rows.stream().mapToLong(r -> Long.parseLong(r.get(column))).sum();
    }

    /** The demo device, once its IO works (a previous test may have closed its session). */
    private BlockDevice awaitDemoWorking() throws Exception {
        BlockDevice demo = awaitService(BlockDevice.class, "(rnbd.device=demo)");
        Await.value(
                () -> sync(f -> demo.read(0, ByteBuffer.allocate(4096), f::complete)) == 0 ? Boolean.TRUE : null,
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(100),
                () -> "demo IO does not work");
        return demo;
    }

    private static void writeAndReadBack(BlockDevice d, long offset, long seed) throws Exception {
        byte[] data = random(128 * 1024, seed);
        assertEquals(0, sync(f -> d.write(offset, ByteBuffer.wrap(data), 0, f::complete)));
        ByteBuffer back = ByteBuffer.allocate(data.length);
        assertEquals(0, sync(f -> d.read(offset, back, f::complete)));
        assertArrayEquals(data, back.array());
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static int sync(Consumer<CompletableFuture<Integer>> op) throws Exception {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        op.accept(f);
        return f.get(40, TimeUnit.SECONDS);
    }

    // ---- reading ShellTable output (unicode or ASCII borders) ----

    /** The rows of the table whose header starts with {@code first} and has {@code second}, by column name. */
    private static List<Map<String, String>> table(String output, String first, String... second) {
        List<String> lines = output.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            List<String> header = cells(lines.get(i));
            if (header.size() > 1
                    && header.get(0).equals(first)
                    && (second.length == 0 || header.contains(second[0]))) {
                List<Map<String, String>> rows = new ArrayList<>();
                for (int j = i + 2; j < lines.size() && lines.get(j).matches(".*[│|].*"); j++) {
                    List<String> cells = cells(lines.get(j));
                    Map<String, String> row = new LinkedHashMap<>();
                    for (int c = 0; c < header.size() && c < cells.size(); c++) {
                        row.put(header.get(c), cells.get(c));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
        throw new AssertionError("no table with columns " + first + " in:\n" + output);
    }

    private static List<String> cells(String line) {
        List<String> cells = new ArrayList<>();
        for (String c : line.split("[│|]", -1)) {
            cells.add(c.trim());
        }
        return cells;
    }

    private static List<Map<String, String>> rows(List<Map<String, String>> table, String column, String value) {
        return table.stream().filter(r -> value.equals(r.get(column))).toList();
    }

    private static Map<String, String> row(List<Map<String, String>> table, String column, String value) {
        List<Map<String, String>> found = rows(table, column, value);
        if (found.isEmpty()) {
            throw new AssertionError("no row with " + column + " = " + value + " in " + table);
        }
        return found.get(0);
    }
}
