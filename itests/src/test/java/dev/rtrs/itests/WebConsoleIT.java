package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.test.support.Await;
import java.io.File;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.json.Json;
import javax.json.JsonObject;
import javax.json.JsonReader;
import javax.json.JsonValue;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The RTRS web console page against the appliance's demo (session {@code demo} over 127.0.0.1 and 127.0.0.2, mapped
 * device and export {@code demo}): the page and data.json as the console's admin gets them, the policy, close-path and
 * reconnect-path actions with and without their form token, and the chart as headless Chromium draws it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WebConsoleIT extends ApplianceTestSupport {

    /** Pax Exam containers skip bin/setenv, which makes the appliance's admin: this test writes one of its own. */
    private static final String USER = "admin";

    private static final String PASSWORD = "webconsole-it";
    private static final String PAGE = "/system/console/rtrs";
    private static final String DATA = PAGE + "/data.json";
    private static final Pattern TOKEN = Pattern.compile("name=\"token\" value=\"([^\"]+)\"");

    @Override
    protected List<Option> extraOptions() {
        return List.of(
                // the console logs in users of the JAAS realm karaf with the role admin (admingroup has it)
                editConfigurationFilePut("etc/users.properties", USER, PASSWORD + ",_g_:admingroup"),
                systemProperty("it.webconsole.screenshot")
                        .value(new File("target/webconsole-it.png").getAbsolutePath()));
    }

    private ConsoleHttp console() {
        return new ConsoleHttp(Integer.getInteger("it.httpPort"), USER, PASSWORD);
    }

    // ---- the page and its data ----

    @Test
    public void thePageShowsTheDemoSessionItsTwoPathsTheDeviceAndTheExport() throws Exception {
        ConsoleHttp console = console();
        String page = awaitPage(console).body();

        assertTrue(page, page.contains("<title>Apache Karaf Web Console - RTRS sessions and devices</title>"));
        String sessions = table(page, "rtrs-client-sessions");
        assertTrue(sessions, sessions.contains("<td>demo</td><td>CONNECTED</td>"));
        assertTrue(sessions, sessions.contains("value=\"set-policy\""));
        String paths = table(page, "rtrs-client-paths");
        assertTrue(
                paths,
                Pattern.compile("<td>demo</td><td>[0-9.]+@127\\.0\\.0\\.1</td><td>CONNECTED</td>")
                        .matcher(paths)
                        .find());
        assertTrue(
                paths,
                Pattern.compile("<td>demo</td><td>[0-9.]+@127\\.0\\.0\\.2</td><td>CONNECTED</td>")
                        .matcher(paths)
                        .find());
        String serverPaths = table(page, "rtrs-server-paths");
        assertEquals(serverPaths, 2, count(serverPaths, "value=\"close-path\""));
        assertTrue(table(page, "rtrs-devices")
                .contains("<td>demo</td><td>demo</td><td>demo</td><td>RW</td>" + "<td>256.0 MiB</td><td>mapped</td>"));
        assertTrue(table(page, "rtrs-exports")
                .contains("<td>demo</td><td>memory</td><td>size=256M</td><td>256.0 MiB</td>"));
        assertTrue(table(page, "rtrs-open-devices").contains("<td>demo</td><td>0</td><td>demo</td><td>RW</td>"));
        assertFalse("every service is present", page.contains("rtrs-missing"));

        ConsoleHttp.Response script = console.get(PAGE + "/res/uplot/uPlot.iife.min.js");
        assertEquals(200, script.status());
        assertTrue(script.body(), script.body().contains("uPlot"));
        assertEquals(200, console.get(PAGE + "/res/rtrs.js").status());
        assertEquals(
                "only res/ is served",
                404,
                console.get(PAGE + "/templates/rtrs.html").status());
        assertEquals(
                401,
                new ConsoleHttp(Integer.getInteger("it.httpPort"), null, null)
                        .get(PAGE)
                        .status());
        assertEquals(
                401,
                new ConsoleHttp(Integer.getInteger("it.httpPort"), null, null)
                        .get(DATA)
                        .status());
    }

    @Test
    public void dataJsonHasTheDemoAndTheSampledRatesOfItsPaths() throws Exception {
        BlockDevice demo = awaitService(BlockDevice.class, "(rnbd.device=demo)");
        ConsoleHttp console = console();
        awaitPage(console);
        BlockVerifiedLoad load = new BlockVerifiedLoad(demo, 2, 256, Long.MAX_VALUE);
        JsonObject json;
        try {
            json = awaitJson(console, j -> busyClientSeries(j) == 2);
        } finally {
            load.finish();
        }
        assertEquals(load.summary(), 0, load.errors.get() + load.mismatches.get());

        JsonObject session = clientSession(json, "demo");
        assertEquals("CONNECTED", session.getString("state"));
        Set<String> pathUuids = session.getJsonArray("paths").getValuesAs(JsonObject.class).stream()
                .map(p -> p.getString("uuid"))
                .collect(Collectors.toSet());
        assertEquals(2, pathUuids.size());
        JsonObject device =
                json.getJsonObject("rnbdClient").getJsonArray("devices").getJsonObject(0);
        assertEquals("demo", device.getString("name"));
        assertEquals(256L << 20, device.getJsonNumber("size").longValue());
        assertEquals(
                "demo",
                json.getJsonObject("rnbdServer")
                        .getJsonArray("exports")
                        .getJsonObject(0)
                        .getString("name"));
        assertTrue(json.getJsonArray("missing").isEmpty());

        JsonObject history = json.getJsonObject("history");
        int samples = history.getJsonArray("times").size();
        assertTrue("samples: " + samples, samples >= 2);
        Set<String> clientKeys = history.getJsonArray("series").getValuesAs(JsonObject.class).stream()
                .filter(s -> s.getString("side").equals("client"))
                .map(s -> s.getString("key"))
                .collect(Collectors.toSet());
        assertEquals(pathUuids.stream().map(u -> "client/demo/" + u).collect(Collectors.toSet()), clientKeys);
        for (JsonObject s : history.getJsonArray("series").getValuesAs(JsonObject.class)) {
            for (String rates : new String[] {"readIops", "writeIops", "readBytesPerSecond", "writeBytesPerSecond"}) {
                assertEquals(
                        s.getString("key") + " " + rates,
                        samples,
                        s.getJsonArray(rates).size());
            }
        }
    }

    // ---- the actions ----

    @Test
    public void aPolicyChangeNeedsTheFormTokenAndAnInstalledPolicy() throws Exception {
        ConsoleHttp console = console();
        String token = token(awaitPage(console).body());
        String before = clientSession(json(console), "demo").getString("policy");
        String other = before.equals("round-robin") ? "min-inflight" : "round-robin";

        ConsoleHttp.Response r = console.post(PAGE, "action", "set-policy", "session", "demo", "policy", other);
        assertEquals(r.toString(), 403, r.status());
        assertTrue(r.toString(), r.body().contains("form token"));
        r = console.withoutCookie()
                .post(PAGE, "action", "set-policy", "session", "demo", "policy", other, "token", token);
        assertEquals("the token of another session: " + r, 403, r.status());
        r = console.post(PAGE, "action", "set-policy", "session", "demo", "policy", other, "token", token + "x");
        assertEquals(r.toString(), 403, r.status());
        r = console.post(PAGE, "action", "set-policy", "session", "demo", "policy", "fastest", "token", token);
        assertEquals(r.toString(), 400, r.status());
        assertTrue(r.toString(), r.body().contains("no multipath policy named 'fastest' is installed"));
        r = console.post(PAGE, "action", "set-policy", "session", "nope", "policy", other, "token", token);
        assertEquals(r.toString(), 400, r.status());
        assertTrue(r.toString(), r.body().contains("no client session named 'nope'"));
        assertEquals("the refused requests changed nothing", before, sessionsPolicy());

        r = console.post(PAGE, "action", "set-policy", "session", "demo", "policy", other, "token", token);
        assertEquals(r.toString(), 200, r.status());
        assertTrue(
                r.toString(), r.body().contains("Session demo uses " + other + " (kept in the configuration of demo)"));
        awaitSessionsPolicy(other);
        assertTrue(table(console.get(PAGE).body(), "rtrs-client-sessions").contains("<td>" + other + "</td>"));

        r = console.post(PAGE, "action", "set-policy", "session", "demo", "policy", before, "token", token);
        assertEquals(r.toString(), 200, r.status());
        awaitSessionsPolicy(before);
    }

    @Test
    public void aClosedServerPathIsReconnectedByTheClient() throws Exception {
        ConsoleHttp console = console();
        String token = token(awaitPage(console).body());
        JsonObject json = json(console);
        long reconnectsBefore = clientReconnects(json);
        JsonObject serverSession = json
                .getJsonObject("transport")
                .getJsonArray("servers")
                .getJsonObject(0)
                .getJsonArray("sessions")
                .getValuesAs(JsonObject.class)
                .stream()
                .filter(s -> s.getString("name").equals("demo"))
                .findFirst()
                .orElseThrow();
        String path = serverSession.getJsonArray("paths").getJsonObject(0).getString("uuid");

        ConsoleHttp.Response r =
                console.post(PAGE, "action", "close-path", "session", "demo", "path", "42", "token", token);
        assertEquals(r.toString(), 400, r.status());
        assertTrue(r.toString(), r.body().contains("path '42' is not a path uuid"));
        r = console.post(PAGE, "action", "close-path", "session", "demo", "path", path);
        assertEquals(r.toString(), 403, r.status());
        assertEquals("nothing was closed", reconnectsBefore, clientReconnects(json(console)));

        r = console.post(PAGE, "action", "close-path", "session", "demo", "path", path, "token", token);
        assertEquals(r.toString(), 200, r.status());
        assertTrue(r.toString(), r.body().contains("Closed path " + path + " of server session demo"));
        awaitJson(
                console,
                j -> clientReconnects(j) > reconnectsBefore
                        && clientSession(j, "demo").getJsonArray("paths").getValuesAs(JsonObject.class).stream()
                                .allMatch(p -> p.getString("state").equals("CONNECTED")));
    }

    @Test
    public void aClientPathIsReconnectedFromThePage() throws Exception {
        ConsoleHttp console = console();
        String page = awaitPage(console).body();
        String token = token(page);
        assertEquals(page, 2, count(table(page, "rtrs-client-paths"), "value=\"reconnect-path\""));
        assertEquals(page, 2, count(table(page, "rtrs-client-paths"), "value=\"remove-path\""));
        JsonObject path =
                clientSession(json(console), "demo").getJsonArray("paths").getJsonObject(1);
        String uuid = path.getString("uuid");
        long before =
                path.getJsonObject("statistics").getJsonNumber("reconnects").longValue();

        ConsoleHttp.Response r = console.post(PAGE, "action", "reconnect-path", "session", "demo", "path", uuid);
        assertEquals(r.toString(), 403, r.status());
        r = console.post(PAGE, "action", "remove-path", "session", "demo", "path", "not-a-uuid", "token", token);
        assertEquals(r.toString(), 400, r.status());
        r = console.post(PAGE, "action", "reconnect-path", "session", "demo", "path", uuid, "token", token);
        assertEquals(r.toString(), 200, r.status());
        assertTrue(r.toString(), r.body().contains("Reconnected path " + path.getString("name")));
        awaitJson(
                console,
                j -> clientSession(j, "demo").getJsonArray("paths").getValuesAs(JsonObject.class).stream()
                        .anyMatch(p -> p.getString("uuid").equals(uuid)
                                && p.getString("state").equals("CONNECTED")
                                && p.getJsonObject("statistics")
                                                .getJsonNumber("reconnects")
                                                .longValue()
                                        > before));
    }

    // ---- the chart in a browser ----

    @Test
    public void headlessChromiumDrawsTheChart() throws Exception {
        if (!HeadlessChromium.available()) {
            if (HeadlessChromium.required()) {
                fail(HeadlessChromium.BINARY + " is missing and " + HeadlessChromium.REQUIRE + "=1");
            }
            Assume.assumeTrue("skipped: no " + HeadlessChromium.BINARY + " (Debian package chromium)", false);
        }
        BlockDevice demo = awaitService(BlockDevice.class, "(rnbd.device=demo)");
        ConsoleHttp console = console();
        awaitPage(console);
        String url = "http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + Integer.getInteger("it.httpPort") + PAGE;
        BlockVerifiedLoad load = new BlockVerifiedLoad(demo, 2, 256, Long.MAX_VALUE);
        String dom;
        try {
            awaitJson(
                    console,
                    j -> j.getJsonObject("history").getJsonArray("times").size() >= 5 && busyClientSeries(j) == 2);
            dom = HeadlessChromium.dumpDom(url, 10_000);
            HeadlessChromium.screenshot(url, 10_000, Path.of(System.getProperty("it.webconsole.screenshot")));
        } finally {
            load.finish();
        }
        for (String chart : new String[] {"rtrs-iops-chart", "rtrs-throughput-chart"}) {
            Matcher m = Pattern.compile("<div id=\"" + chart + "\"[^>]*data-series=\"(\\d+)\" data-points=\"(\\d+)\">"
                            + "\\s*<div class=\"uplot[^\"]*\"")
                    .matcher(dom);
            assertTrue("uPlot drew no " + chart + ":\n" + dom, m.find());
            assertEquals("client and server side of both paths", "4", m.group(1));
            assertTrue("points: " + m.group(2), Integer.parseInt(m.group(2)) >= 5);
            String after = dom.substring(m.end());
            assertTrue(
                    chart + " has no canvas",
                    after.indexOf("<canvas") >= 0 && after.indexOf("<canvas") < after.indexOf("rtrs-heading"));
        }
        assertFalse("the charts were updated without errors", dom.contains("rtrs-error"));
        byte[] png = Files.readAllBytes(Path.of(System.getProperty("it.webconsole.screenshot")));
        assertTrue("a PNG of " + png.length + " bytes", png.length > 10_000 && png[1] == 'P' && png[2] == 'N');
    }

    // ---- helpers ----

    /** The page once the console has the plugin and the demo is connected (both come up after boot). */
    private static final Pattern BOTH_PATHS = Pattern.compile("(?s)<td>demo</td><td>[0-9.]+@127\\.0\\.0\\.[12]</td>"
            + "<td>CONNECTED</td>.*<td>demo</td><td>[0-9.]+@127\\.0\\.0\\.[12]</td><td>CONNECTED</td>");

    private ConsoleHttp.Response awaitPage(ConsoleHttp console) throws Exception {
        ConsoleHttp.Response[] last = {null};
        // the session is connected once its first path is; the page is read once both paths are
        return Await.value(
                () -> {
                    ConsoleHttp.Response r = console.get(PAGE);
                    last[0] = r;
                    return r.status() == 200
                                    && r.body().contains("<td>demo</td><td>CONNECTED</td>")
                                    && r.body().contains("id=\"rtrs-exports\"")
                                    && r.body().contains("<td>mapped</td>")
                                    && BOTH_PATHS
                                            .matcher(table(r.body(), "rtrs-client-paths"))
                                            .find()
                            ? r
                            : null;
                },
                Duration.ofMillis(2 * TIMEOUT_MS),
                Duration.ofMillis(250),
                () -> "the page never showed the connected demo: " + last[0]);
    }

    private JsonObject json(ConsoleHttp console) throws Exception {
        ConsoleHttp.Response r = console.get(DATA);
        assertEquals(r.toString(), 200, r.status());
        assertTrue(r.contentType(), r.contentType().startsWith("application/json"));
        try (JsonReader reader = Json.createReader(new StringReader(r.body()))) {
            return reader.readObject();
        }
    }

    private interface JsonCondition {
        boolean holds(JsonObject json);
    }

    private JsonObject awaitJson(ConsoleHttp console, JsonCondition condition) throws Exception {
        JsonObject[] last = {null};
        return Await.value(
                () -> {
                    last[0] = json(console);
                    return condition.holds(last[0]) ? last[0] : null;
                },
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(250),
                () -> "data.json never met the condition: " + last[0]);
    }

    private static JsonObject clientSession(JsonObject json, String name) {
        return json.getJsonObject("transport").getJsonArray("clientSessions").getValuesAs(JsonObject.class).stream()
                .filter(s -> s.getString("name").equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no client session " + name + " in " + json));
    }

    private static long clientReconnects(JsonObject json) {
        return clientSession(json, "demo").getJsonArray("paths").getValuesAs(JsonObject.class).stream()
                .mapToLong(p -> p.getJsonObject("statistics")
                        .getJsonNumber("reconnects")
                        .longValue())
                .sum();
    }

    /** Client series of the demo whose last sample shows IO. */
    private static long busyClientSeries(JsonObject json) {
        return json.getJsonObject("history").getJsonArray("series").getValuesAs(JsonObject.class).stream()
                .filter(s -> s.getString("key").startsWith("client/demo/"))
                .filter(s -> {
                    List<JsonValue> iops = s.getJsonArray("writeIops");
                    JsonValue last = iops.isEmpty() ? JsonValue.NULL : iops.get(iops.size() - 1);
                    return last.getValueType() == JsonValue.ValueType.NUMBER
                            && ((javax.json.JsonNumber) last).doubleValue() > 0;
                })
                .count();
    }

    private String sessionsPolicy() throws Exception {
        String out = executeCommandWithRetry("rtrs:sessions");
        Matcher m = Pattern.compile("(?m)^\\s*demo\\s*[│|]\\s*\\w+\\s*[│|]\\s*([^│|]+?)\\s*[│|]")
                .matcher(out);
        assertTrue(out, m.find());
        return m.group(1);
    }

    private void awaitSessionsPolicy(String policy) throws Exception {
        String[] shown = {""};
        Await.value(
                () -> {
                    shown[0] = sessionsPolicy();
                    return shown[0].equals(policy) ? shown[0] : null;
                },
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(100),
                () -> "rtrs:sessions shows policy " + shown[0] + ", not " + policy);
    }

    private static String token(String page) {
        Matcher m = TOKEN.matcher(page);
        assertTrue("no form token in the page", m.find());
        return m.group(1);
    }

    /** The HTML of the table with that id. */
    private static String table(String page, String id) {
        int start = page.indexOf("<table id=\"" + id + "\"");
        assertTrue("no table " + id + " in the page", start >= 0);
        return page.substring(start, page.indexOf("</table>", start));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
