package dev.rtrs.webconsole.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PageViewTest {

    private static final String ROOT = "/system/console/rtrs";

    @Test
    void theDemoIsRenderedWithItsActionForms() {
        Fakes.Demo demo = new Fakes.Demo();
        // 2001-09-09 01:46:40 UTC: the same day in every time zone the test may run in
        Map<String, String> vars =
                PageView.variables(ApplianceSnapshot.capture(demo.services(), 1_000_000_000_000L), "T0KEN", ROOT);

        assertEquals(ROOT + "/data.json", vars.get("rtrs.dataUrl"));
        String sessions = vars.get("rtrs.clientSessions");
        assertTrue(sessions.contains("<td>demo</td><td>CONNECTED</td><td>min-inflight</td>"), sessions);
        assertTrue(sessions.contains("<input type=\"hidden\" name=\"action\" value=\"set-policy\"/>"), sessions);
        assertTrue(sessions.contains("<input type=\"hidden\" name=\"token\" value=\"T0KEN\"/>"), sessions);
        assertTrue(
                sessions.contains("<option value=\"min-inflight\" selected=\"selected\">min-inflight (mi)</option>"),
                sessions);
        assertTrue(sessions.contains("<option value=\"round-robin\">round-robin (rr)</option>"), sessions);
        assertTrue(sessions.contains("action=\"" + ROOT + "\""), sessions);

        String paths = vars.get("rtrs.clientPaths");
        assertTrue(paths.contains("<td>127.0.0.1@127.0.0.1</td><td>CONNECTED</td><td>2</td><td>85</td>"), paths);
        assertTrue(paths.contains("<td>127.0.0.2@127.0.0.2</td>"), paths);
        assertTrue(paths.contains("value=\"reconnect-path\""), paths);
        assertTrue(paths.contains("value=\"remove-path\""), paths);
        assertTrue(paths.contains("value=\"" + demo.client.paths.get(1).uuid() + "\""), paths);
        assertTrue(paths.contains("<button type=\"submit\">Reconnect</button>"), paths);
        assertTrue(paths.contains("<input type=\"hidden\" name=\"token\" value=\"T0KEN\"/>"), paths);
        String serverPaths = vars.get("rtrs.serverPaths");
        assertTrue(serverPaths.contains("value=\"close-path\""), serverPaths);
        assertTrue(
                serverPaths.contains(
                        "value=\"" + demo.serverSession.paths.get(1).uuid() + "\""),
                serverPaths);
        assertTrue(vars.get("rtrs.servers").contains("<td>127.0.0.1:1234, 127.0.0.2:1234</td>"));
        assertTrue(
                vars.get("rtrs.devices")
                        .contains("<td>demo</td><td>demo</td><td>demo</td><td>RW</td>"
                                + "<td>256.0 MiB</td><td>mapped</td>"),
                vars.get("rtrs.devices"));
        assertTrue(
                vars.get("rtrs.exports").contains("<td>demo</td><td>memory</td><td>size=256M</td><td>256.0 MiB</td>"),
                vars.get("rtrs.exports"));
        assertTrue(vars.get("rtrs.openDevices").contains("<td>demo</td><td>0</td><td>demo</td><td>RW</td>"));
        assertTrue(vars.get("rtrs.time").startsWith("Read at 2001-09-0"), vars.get("rtrs.time"));
    }

    @Test
    void whatServicesReportIsEscaped() {
        Fakes.Demo demo = new Fakes.Demo();
        demo.transport.clients.add(new Fakes.Client("<script>alert('x')</script>"));
        demo.transport.policies.put("\"><b>bad", List.of());
        Map<String, String> vars = PageView.variables(ApplianceSnapshot.capture(demo.services(), 0), "t\"k", ROOT);
        String sessions = vars.get("rtrs.clientSessions");
        assertFalse(sessions.contains("<script>"), sessions);
        assertFalse(sessions.contains("\"><b>"), sessions);
        assertTrue(sessions.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), sessions);
        assertTrue(sessions.contains("value=\"t&quot;k\""), sessions);
        assertTrue(
                sessions.contains("<option value=\"&quot;&gt;&lt;b&gt;bad\">&quot;&gt;&lt;b&gt;bad</option>"),
                sessions);
    }

    @Test
    void aMissingServiceLeavesItsSectionsOutWithTheFeatureThatProvidesIt() {
        Map<String, String> vars =
                PageView.variables(ApplianceSnapshot.capture(new Fakes.Services(null, null, null), 0), "t", ROOT);
        for (String key :
                new String[] {"rtrs.clientSessions", "rtrs.clientPaths", "rtrs.servers", "rtrs.serverPaths"}) {
            assertTrue(vars.get(key).contains("install the rtrs-core feature"), key);
        }
        assertTrue(vars.get("rtrs.devices").contains("install the rnbd-client feature"));
        assertTrue(vars.get("rtrs.exports").contains("rnbd-server feature"));
        assertTrue(vars.get("rtrs.openDevices").contains("rnbd-server feature"));
    }

    @Test
    void emptyListsSaySo() {
        Map<String, String> vars = PageView.variables(
                ApplianceSnapshot.capture(
                        new Fakes.Services(new Fakes.Transport(), new Fakes.BlockClient(), new Fakes.BlockServer()), 0),
                "t",
                ROOT);
        assertEquals("<p class=\"rtrs-empty\">No client sessions.</p>", vars.get("rtrs.clientSessions"));
        assertEquals("<p class=\"rtrs-empty\">No RTRS server is listening.</p>", vars.get("rtrs.servers"));
        assertEquals("<p class=\"rtrs-empty\">No mapped devices.</p>", vars.get("rtrs.devices"));
        assertEquals("<p class=\"rtrs-empty\">No exports.</p>", vars.get("rtrs.exports"));
    }

    @Test
    void aPolicyNotInstalledIsNotPreselected() {
        Fakes.Demo demo = new Fakes.Demo();
        demo.client.policy = "round-robin (fallback: min-latency is not installed)";
        String sessions = PageView.variables(ApplianceSnapshot.capture(demo.services(), 0), "t", ROOT)
                .get("rtrs.clientSessions");
        assertTrue(
                sessions.contains("<option value=\"\" selected=\"selected\" disabled=\"disabled\">choose</option>"),
                sessions);
    }

    @Test
    void bytesInBinaryUnits() {
        assertEquals("512 B", PageView.bytes(512));
        assertEquals("1.5 KiB", PageView.bytes(1536));
        assertEquals("256.0 MiB", PageView.bytes(256L << 20));
        assertEquals("8.0 EiB", PageView.bytes(Long.MAX_VALUE));
    }
}
