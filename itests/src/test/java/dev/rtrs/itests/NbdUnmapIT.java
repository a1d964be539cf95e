package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.test.support.Await;
import java.io.StringReader;
import java.time.Duration;
import javax.json.Json;
import javax.json.JsonArray;
import javax.json.JsonObject;
import javax.json.JsonReader;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * {@code rnbd:unmap} against a real NBD client of the appliance's gateway, as the kernel's {@code unmap_device}: EBUSY
 * while the client has the device open, and with {@code --force} the device goes and the client's connection with it.
 * The device is a read-only second mapping of the demo export, so the demo stays whole.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NbdUnmapIT extends ApplianceTestSupport {

    private static final String DEVICE = "held";
    /** Seconds nbdsh may take to see its connection closed and end. */
    private static final long EXIT_SECONDS = 30;

    @Test
    public void anUnmapIsRefusedWhileAnNbdClientReadsAndAForcedOneClosesItsConnection() throws Exception {
        if (!HeldNbdConnection.available()) {
            if (HeldNbdConnection.required()) {
                fail(HeldNbdConnection.BINARY + " (Debian: python3-libnbd) is missing and " + HeldNbdConnection.REQUIRE
                        + "=1");
            }
            Assume.assumeTrue("skipped: no " + HeldNbdConnection.BINARY + " (Debian: python3-libnbd)", false);
        }
        awaitService(BlockDevice.class, "(rnbd.device=demo)");
        String mapped = executeCommandWithRetry("rnbd:map --session " + DEVICE + " --path 127.0.0.1 --port "
                + Integer.getInteger("it.rnbdPort") + " --access-mode ro " + DEVICE + " demo");
        assertTrue(mapped, mapped.contains("Mapped " + DEVICE));
        awaitService(BlockDevice.class, "(rnbd.device=" + DEVICE + ")");
        String uri = device().getString("nbdUri");

        try (HeldNbdConnection client = HeldNbdConnection.open(uri)) {
            await(
                    "the NBD client has " + DEVICE + " open and reads it",
                    client,
                    () -> client.reads() > 0 && device().getInt("openCount") == 1);

            String refused = assertError("rnbd:unmap " + DEVICE, "EBUSY", DEVICE + " is open by 1 NBD connection");
            assertEquals(refused, "MAPPED", device().getString("state"));
            assertFalse(
                    "its service stays",
                    bundleContext
                            .getServiceReferences(BlockDevice.class, "(rnbd.device=" + DEVICE + ")")
                            .isEmpty());
            int before = client.reads();
            await("the NBD client reads on after the refused unmap", client, () -> client.reads() >= before + 3);

            String out = executeCommand("rnbd:unmap --force " + DEVICE);
            assertTrue(out, out.contains("Unmapped " + DEVICE));
            assertNull("the device is gone", find(devices(), DEVICE));
            assertTrue(
                    "its service is gone",
                    bundleContext
                            .getServiceReferences(BlockDevice.class, "(rnbd.device=" + DEVICE + ")")
                            .isEmpty());
            Integer exit = client.awaitExit(EXIT_SECONDS);
            assertNotNull(
                    "the NBD client still reads " + EXIT_SECONDS + " s after the forced unmap:\n" + client.output(),
                    exit);
            assertNotEquals("its next request fails:\n" + client.output(), 0, (int) exit);
        }
        assertEquals("the demo is untouched", "MAPPED", find(devices(), "demo").getString("state"));
    }

    // ---- helpers ----

    private JsonArray devices() throws Exception {
        String out = executeCommand("rnbd:devices --json");
        try (JsonReader reader = Json.createReader(new StringReader(out.trim()))) {
            return reader.readArray();
        }
    }

    private static JsonObject find(JsonArray devices, String name) {
        return devices.getValuesAs(JsonObject.class).stream()
                .filter(d -> name.equals(d.getString("name")))
                .findFirst()
                .orElse(null);
    }

    private JsonObject device() throws Exception {
        JsonObject d = find(devices(), DEVICE);
        if (d == null) {
            throw new AssertionError(DEVICE + " is not listed");
        }
        return d;
    }

    /** Waits up to {@link #TIMEOUT_MS} for a condition; stops early when the NBD client has ended. */
    private static void await(String what, HeldNbdConnection client, Check check) throws Exception {
        Await.value(
                () -> {
                    if (!client.isAlive()) {
                        throw new AssertionError(
                                "the NBD client ended while waiting for: " + what + "\n" + client.output());
                    }
                    try {
                        return check.holds() ? Boolean.TRUE : null;
                    } catch (Exception e) {
                        return null;
                    }
                },
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(100),
                () -> "not within " + TIMEOUT_MS + " ms: " + what + "; the NBD client printed:\n" + client.output());
    }

    private interface Check {
        boolean holds() throws Exception;
    }
}
