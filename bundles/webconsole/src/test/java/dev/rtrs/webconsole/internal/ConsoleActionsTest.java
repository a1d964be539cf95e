package dev.rtrs.webconsole.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.block.BlockException;
import dev.rtrs.errno.Errno;
import dev.rtrs.transport.TransportException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConsoleActionsTest {

    private final Fakes.Demo demo = new Fakes.Demo();

    private static Map<String, String[]> parameters(String... pairs) {
        Map<String, String[]> p = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            p.put(pairs[i], new String[] {pairs[i + 1]});
        }
        return p;
    }

    private ActionResult perform(AdminServices services, String... pairs) {
        return new ConsoleActions(services).perform(parameters(pairs));
    }

    private ActionResult perform(String... pairs) {
        return perform(demo.services(), pairs);
    }

    private void assertRefused(int status, String expected, ActionResult r) {
        assertEquals(status, r.status(), r.message());
        assertTrue(r.message().contains(expected), r.message());
    }

    private void assertNothingChanged() {
        assertEquals("min-inflight", demo.client.policy);
        assertTrue(demo.blockClient.policyCalls.isEmpty());
        assertEquals(2, demo.serverSession.paths.size());
    }

    @Test
    void aSessionWithMappedDevicesKeepsItsPolicyInTheirConfiguration() {
        ActionResult r = perform("action", "set-policy", "session", "demo", "policy", "RR");
        assertEquals(200, r.status(), r.message());
        assertEquals("Session demo uses round-robin (kept in the configuration of demo)", r.message());
        assertEquals(List.of("demo=round-robin"), demo.blockClient.policyCalls, "by its name, not the alias");
        assertEquals("min-inflight", demo.client.policy, "the RNBD client switches the running session");
    }

    @Test
    void aSessionWithoutMappedDevicesSwitchesOnTheSessionItself() {
        demo.blockClient.devices.clear();
        ActionResult r = perform("action", "set-policy", "session", "demo", "policy", "round-robin");
        assertEquals(200, r.status(), r.message());
        assertEquals("round-robin", demo.client.policy);
        assertTrue(r.message().endsWith("(until it closes)"), r.message());
        assertTrue(demo.blockClient.policyCalls.isEmpty());
    }

    @Test
    void withoutTheRnbdClientThePolicyIsSetOnTheSession() {
        ActionResult r = perform(
                new Fakes.Services(demo.transport, null, null),
                "action",
                "set-policy",
                "session",
                "demo",
                "policy",
                "mi");
        assertEquals(200, r.status(), r.message());
        assertEquals("min-inflight", demo.client.policy);
    }

    @Test
    void anUnknownPolicyIsRefusedWithTheInstalledOnes() {
        assertRefused(
                400,
                "no multipath policy named 'fastest' is installed (installed: min-inflight, round-robin)",
                perform("action", "set-policy", "session", "demo", "policy", "fastest"));
        assertNothingChanged();
    }

    @Test
    void anUnknownSessionIsRefused() {
        assertRefused(
                400,
                "no client session named 'nope'",
                perform("action", "set-policy", "session", "nope", "policy", "rr"));
        assertNothingChanged();
    }

    @Test
    void aFailedConfigurationUpdateIsReportedAsAServerError() {
        demo.blockClient.failure = new BlockException(5, "configuration not stored");
        assertRefused(
                500, "configuration not stored", perform("action", "set-policy", "session", "demo", "policy", "rr"));
    }

    @Test
    void closingAServerPathLeavesTheOtherPath() {
        UUID first = demo.serverSession.paths.get(0).uuid();
        ActionResult r = perform("action", "close-path", "session", "demo", "path", first.toString());
        assertEquals(200, r.status(), r.message());
        assertTrue(r.message().contains("Closed path " + first + " of server session demo"), r.message());
        assertEquals(1, demo.serverSession.paths.size());
    }

    @Test
    void closePathChecksTheUuidTheSessionAndThePath() {
        assertRefused(
                400,
                "path 'not-a-uuid' is not a path uuid",
                perform("action", "close-path", "session", "demo", "path", "not-a-uuid"));
        assertRefused(
                400,
                "no server session named 'other'",
                perform(
                        "action",
                        "close-path",
                        "session",
                        "other",
                        "path",
                        UUID.randomUUID().toString()));
        UUID unknown = UUID.randomUUID();
        assertRefused(
                400,
                "server session 'demo' has no path " + unknown,
                perform("action", "close-path", "session", "demo", "path", unknown.toString()));
        assertNothingChanged();
    }

    @Test
    void reconnectingAClientPath() {
        UUID second = demo.client.paths.get(1).uuid();
        ActionResult r = perform("action", "reconnect-path", "session", "demo", "path", second.toString());
        assertEquals(200, r.status(), r.message());
        assertEquals("Reconnected path 127.0.0.2@127.0.0.2 of session demo", r.message());
        assertEquals(List.of("reconnect " + second), demo.client.pathCalls);
    }

    @Test
    void aPathThatDoesNotReconnectInTimeIsAServerError() {
        demo.client.reconnectFailure = new TransportException(Errno.ENOTCONN, "not connected in time");
        ActionResult r = perform(
                "action",
                "reconnect-path",
                "session",
                "demo",
                "path",
                demo.client.paths.get(0).uuid().toString());
        assertRefused(500, "not connected in time", r);
    }

    @Test
    void removingAPathOfASessionWithMappedDevicesKeepsItInTheirConfiguration() {
        UUID first = demo.client.paths.get(0).uuid();
        ActionResult r = perform("action", "remove-path", "session", "demo", "path", first.toString());
        assertEquals(200, r.status(), r.message());
        assertEquals(
                "Removed path 127.0.0.1@127.0.0.1 from session demo (kept in the configuration of demo)", r.message());
        assertEquals(List.of("demo " + first), demo.blockClient.pathCalls);
        assertTrue(demo.client.pathCalls.isEmpty(), "the RNBD client removes it from the running session");
    }

    @Test
    void removingAPathOfASessionWithoutMappedDevicesAndNeverTheLastOne() {
        demo.blockClient.devices.clear();
        UUID first = demo.client.paths.get(0).uuid();
        ActionResult r = perform("action", "remove-path", "session", "demo", "path", first.toString());
        assertEquals(200, r.status(), r.message());
        assertTrue(r.message().endsWith("(until it closes)"), r.message());
        assertEquals(1, demo.client.paths.size());
        assertRefused(
                400,
                "EBUSY",
                perform(
                        "action",
                        "remove-path",
                        "session",
                        "demo",
                        "path",
                        demo.client.paths.get(0).uuid().toString()));
        assertEquals(1, demo.client.paths.size());
    }

    @Test
    void clientPathActionsCheckTheUuidTheSessionAndThePath() {
        for (String action : List.of("reconnect-path", "remove-path")) {
            assertRefused(
                    400, "path 'x' is not a path uuid", perform("action", action, "session", "demo", "path", "x"));
            assertRefused(
                    400,
                    "no client session named 'other'",
                    perform(
                            "action",
                            action,
                            "session",
                            "other",
                            "path",
                            UUID.randomUUID().toString()));
            UUID unknown = UUID.randomUUID();
            assertRefused(
                    400,
                    "client session 'demo' has no path " + unknown,
                    perform("action", action, "session", "demo", "path", unknown.toString()));
            assertRefused(
                    503,
                    "rtrs-core",
                    perform(
                            new Fakes.Services(null, demo.blockClient, null),
                            "action",
                            action,
                            "session",
                            "demo",
                            "path",
                            UUID.randomUUID().toString()));
        }
        assertTrue(demo.client.pathCalls.isEmpty());
        assertTrue(demo.blockClient.pathCalls.isEmpty());
        assertEquals(2, demo.client.paths.size());
    }

    @Test
    void everyParameterIsCheckedBeforeAnythingChanges() {
        assertRefused(400, "missing parameter 'action'", perform("session", "demo"));
        assertRefused(400, "unknown action 'reboot'", perform("action", "reboot"));
        assertRefused(400, "missing parameter 'policy'", perform("action", "set-policy", "session", "demo"));
        assertRefused(
                400, "parameter 'session' is empty", perform("action", "set-policy", "session", " ", "policy", "rr"));
        assertRefused(
                400,
                "parameter 'session' is longer than 255 characters",
                perform("action", "set-policy", "session", "x".repeat(256), "policy", "rr"));
        assertRefused(
                400,
                "parameter 'policy' contains control characters",
                perform("action", "set-policy", "session", "demo", "policy", "rr\u0000"));
        Map<String, String[]> twice = parameters("action", "set-policy", "policy", "rr");
        twice.put("session", new String[] {"demo", "demo"});
        assertRefused(400, "parameter 'session' given 2 times", new ConsoleActions(demo.services()).perform(twice));
        assertNothingChanged();
    }

    @Test
    void withoutTheTransportTheActionsNameTheMissingFeature() {
        Fakes.Services none = new Fakes.Services(null, demo.blockClient, null);
        assertRefused(503, "rtrs-core", perform(none, "action", "set-policy", "session", "demo", "policy", "rr"));
        assertRefused(
                503,
                "rtrs-core",
                perform(
                        none,
                        "action",
                        "close-path",
                        "session",
                        "demo",
                        "path",
                        UUID.randomUUID().toString()));
        assertNothingChanged();
    }

    @Test
    void theResultAsJson() {
        assertEquals(
                "{\"message\":\"done \\\"it\\\"\"}",
                ActionResult.done("done \"it\"").toJson());
        assertEquals("{\"error\":\"no\"}", ActionResult.badRequest("no").toJson());
    }
}
