package dev.rtrs.webconsole.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;
import java.io.StringReader;
import java.util.List;
import javax.json.Json;
import javax.json.JsonArray;
import javax.json.JsonObject;
import javax.json.JsonReader;
import javax.json.JsonValue;
import org.junit.jupiter.api.Test;

class DataJsonTest {

    private static JsonObject parse(String json) {
        try (JsonReader r = Json.createReader(new StringReader(json))) {
            return r.readObject();
        }
    }

    private static PathHistory.Snapshot history(Fakes.Demo demo) {
        PathHistory h = new PathHistory(60, 8);
        h.record(1_000, 0, PathSample.of(ApplianceSnapshot.transport(demo.transport)));
        PathInfo p = demo.client.paths.get(0);
        PathStatistics s = p.statistics();
        // one second later the first client path did 25 more reads of 4 KiB and 5 more writes of 4 KiB
        demo.client.paths.set(
                0,
                new PathInfo(
                        p.uuid(),
                        p.source(),
                        p.destination(),
                        p.state(),
                        p.connections(),
                        new PathStatistics(
                                s.readCount() + 25,
                                s.readBytes() + 25 * 4096,
                                s.writeCount() + 5,
                                s.writeBytes() + 5 * 4096,
                                0,
                                0,
                                0,
                                0),
                        p.roundTripNanos()));
        h.record(2_000, 1_000_000_000L, PathSample.of(ApplianceSnapshot.transport(demo.transport)));
        return h.snapshot();
    }

    @Test
    void theDemoAsJson() {
        Fakes.Demo demo = new Fakes.Demo();
        PathHistory.Snapshot history = history(demo);
        JsonObject json = parse(DataJson.toJson(ApplianceSnapshot.capture(demo.services(), 1234), history));

        assertEquals(1234, json.getJsonNumber("time").longValue());
        assertTrue(json.getJsonArray("missing").isEmpty());
        JsonObject transport = json.getJsonObject("transport");
        assertEquals(
                List.of("rr"),
                transport
                        .getJsonObject("policies")
                        .getJsonArray("round-robin")
                        .getValuesAs(javax.json.JsonString::getString));

        JsonObject session = transport.getJsonArray("clientSessions").getJsonObject(0);
        assertEquals("demo", session.getString("name"));
        assertEquals(demo.client.uuid.toString(), session.getString("uuid"));
        assertEquals("CONNECTED", session.getString("state"));
        assertEquals("min-inflight", session.getString("policy"));
        assertEquals(128, session.getInt("queueDepth"));
        JsonArray paths = session.getJsonArray("paths");
        assertEquals(2, paths.size());
        JsonObject path = paths.getJsonObject(1);
        PathInfo second = demo.client.paths.get(1);
        assertEquals(second.uuid().toString(), path.getString("uuid"));
        assertEquals("127.0.0.2@127.0.0.2", path.getString("name"));
        assertEquals("127.0.0.2:40000", path.getString("source"));
        assertEquals("127.0.0.2:1234", path.getString("destination"));
        assertEquals("CONNECTED", path.getString("state"));
        assertEquals(2, path.getInt("connections"));
        assertEquals(85, path.getInt("roundTripMicros"));
        JsonObject stats = path.getJsonObject("statistics");
        assertEquals(30, stats.getInt("reads"));
        assertEquals(30 * 4096, stats.getInt("readBytes"));
        assertEquals(40, stats.getInt("writes"));
        assertEquals(1, stats.getInt("inflight"));
        assertEquals(0, stats.getInt("reconnects"));
        assertTrue(stats.containsKey("failedOver"));

        JsonObject server = transport.getJsonArray("servers").getJsonObject(0);
        assertEquals(
                List.of("127.0.0.1:1234", "127.0.0.2:1234"),
                server.getJsonArray("addresses").getValuesAs(javax.json.JsonString::getString));
        assertTrue(server.getBoolean("alwaysInvalidate"));
        assertEquals("tcp", server.getString("provider"));
        JsonObject serverPath = server.getJsonArray("sessions")
                .getJsonObject(0)
                .getJsonArray("paths")
                .getJsonObject(0);
        assertFalse(serverPath.getJsonObject("statistics").containsKey("failedOver"), "a client-side counter");

        JsonObject device =
                json.getJsonObject("rnbdClient").getJsonArray("devices").getJsonObject(0);
        assertEquals("demo", device.getString("name"));
        assertEquals(256L << 20, device.getJsonNumber("size").longValue());
        assertEquals("MAPPED", device.getString("state"));
        assertEquals("RW", device.getString("accessMode"));
        JsonObject rnbdServer = json.getJsonObject("rnbdServer");
        JsonObject export = rnbdServer.getJsonArray("exports").getJsonObject(0);
        assertEquals("demo", export.getString("name"));
        assertEquals("256M", export.getJsonObject("parameters").getString("size"));
        assertEquals(1, export.getInt("openCount"));
        assertEquals(256L << 20, export.getJsonNumber("size").longValue());
        assertEquals(
                "RW", rnbdServer.getJsonArray("openDevices").getJsonObject(0).getString("accessMode"));
    }

    @Test
    void theHistoryHasOneSeriesPerPathAlignedWithItsTimesAndNullWhereNotSampled() {
        Fakes.Demo demo = new Fakes.Demo();
        JsonObject history = parse(DataJson.toJson(ApplianceSnapshot.capture(demo.services(), 1), history(demo)))
                .getJsonObject("history");
        assertEquals(60, history.getInt("capacity"));
        assertEquals(0, history.getInt("untrackedPaths"));
        assertEquals(
                List.of(1_000L, 2_000L),
                history.getJsonArray("times").getValuesAs(v -> ((javax.json.JsonNumber) v).longValue()));
        JsonArray series = history.getJsonArray("series");
        assertEquals(4, series.size());
        JsonObject first = series.getJsonObject(0);
        assertEquals("client", first.getString("side"));
        assertEquals("demo", first.getString("session"));
        assertEquals("127.0.0.1@127.0.0.1", first.getString("path"));
        assertEquals("client/demo/" + demo.client.paths.get(0).uuid(), first.getString("key"));
        JsonArray reads = first.getJsonArray("readIops");
        assertEquals(JsonValue.NULL, reads.get(0));
        assertEquals(25.0, reads.getJsonNumber(1).doubleValue());
        assertEquals(5.0, first.getJsonArray("writeIops").getJsonNumber(1).doubleValue());
        assertEquals(
                25 * 4096,
                first.getJsonArray("readBytesPerSecond").getJsonNumber(1).longValue());
        assertEquals(
                5 * 4096,
                first.getJsonArray("writeBytesPerSecond").getJsonNumber(1).longValue());
        assertEquals("server", series.getJsonObject(2).getString("side"));
    }

    @Test
    void anAbsentServiceIsANullSectionListedAsMissingWithItsFeature() {
        Fakes.Services none = new Fakes.Services(null, null, null);
        JsonObject json = parse(DataJson.toJson(ApplianceSnapshot.capture(none, 5), new PathHistory(5, 1).snapshot()));
        assertEquals(JsonValue.NULL, json.get("transport"));
        assertEquals(JsonValue.NULL, json.get("rnbdClient"));
        assertEquals(JsonValue.NULL, json.get("rnbdServer"));
        JsonArray missing = json.getJsonArray("missing");
        assertEquals(3, missing.size());
        assertEquals("transport", missing.getJsonObject(0).getString("section"));
        assertTrue(missing.getJsonObject(0).getString("message").contains("rtrs-core"));
        assertTrue(missing.getJsonObject(1).getString("message").contains("rnbd-client"));
        assertTrue(missing.getJsonObject(2).getString("message").contains("rnbd-server"));
        assertTrue(json.getJsonObject("history").getJsonArray("series").isEmpty());
    }

    @Test
    void namesWithQuotesAndControlCharactersStayValidJson() {
        Fakes.Demo demo = new Fakes.Demo();
        demo.transport.clients.add(new Fakes.Client("odd \"name\"\n\\</script>"));
        JsonObject json =
                parse(DataJson.toJson(ApplianceSnapshot.capture(demo.services(), 1), new PathHistory(5, 1).snapshot()));
        assertEquals(
                "odd \"name\"\n\\</script>",
                json.getJsonObject("transport")
                        .getJsonArray("clientSessions")
                        .getJsonObject(1)
                        .getString("name"));
    }
}
