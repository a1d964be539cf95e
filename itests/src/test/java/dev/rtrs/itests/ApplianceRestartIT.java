package dev.rtrs.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The packaged appliance restarted in place, as an operator does it: {@code bin/stop} and {@code bin/start} on the
 * same {@code data/} and {@code etc/}. Each time the demo must be served again, the data written to a file-backed
 * export before the restart must read back intact, the export and mapping added from the shell must be back, and so
 * must the demo session's multipath policy and reconnect attempts changed from the shell.
 */
public class ApplianceRestartIT {

    private static final int RESTARTS = 3;
    private static final int IMAGE_BYTES = 8 * 1024 * 1024;

    private static UnpackedAppliance appliance;

    @BeforeClass
    public static void unpack() throws Exception {
        requireNbdTools();
        appliance = UnpackedAppliance.unpack(Paths.get("target/restart").toAbsolutePath());
    }

    @AfterClass
    public static void stop() throws Exception {
        if (appliance != null) {
            appliance.close();
        }
    }

    private static void requireNbdTools() {
        boolean present;
        try {
            present = new ProcessBuilder("nbdinfo", "--version").start().waitFor() == 0
                    && new ProcessBuilder("nbdcopy", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            present = false;
        }
        if (!present && "1".equals(System.getenv("RTRS_REQUIRE_NBD_TOOLS"))) {
            throw new AssertionError("nbdinfo/nbdcopy (Debian: libnbd-bin) are required here");
        }
        Assume.assumeTrue("nbdinfo/nbdcopy not installed: skipped", present);
    }

    @Test
    public void restartedInPlaceItServesTheDemoTheDataAndWhatTheShellAdded() throws Exception {
        appliance.start();
        appliance.awaitNbdExport("demo", UnpackedAppliance.BOOT_TIMEOUT_MS);

        // an export and a mapping added from the shell, and data written to it through the NBD gateway
        Path disk = appliance.home.resolve("storage/files.img");
        Files.createDirectories(disk.getParent());
        appliance.awaitShell(
                "rnbd:add-export --backend file --parameter path=" + disk + " --parameter create=true --parameter size="
                        + IMAGE_BYTES + " files",
                Pattern.compile("Added export files"),
                60_000);
        String mapped = appliance.shell(
                "rnbd:map --session files --path 127.0.0.1 --port " + appliance.rnbdPort + " files files");
        assertTrue(mapped, mapped.contains("files"));
        byte[] image = new byte[IMAGE_BYTES];
        new Random(20261202).nextBytes(image);
        Path source = appliance.home.resolve("../image.bin");
        Files.write(source, image);
        appliance.awaitNbdExport("files", 30_000);
        appliance.exec(60, "nbdcopy", source.toString(), appliance.nbdUri("files"));

        // the demo session's settings changed from the shell: kept in the demo mapping's configuration
        String policy = appliance.shell("rtrs:set-policy demo round-robin");
        assertTrue(policy, policy.contains("kept in the configuration of demo"));
        String attempts = appliance.shell("rtrs:set-max-reconnect-attempts demo 77");
        assertTrue(attempts, attempts.contains("kept in the configuration of demo"));
        assertDemoSettings(appliance.shell("rtrs:session --json demo"), "before the restarts");

        for (int i = 1; i <= RESTARTS; i++) {
            appliance.stop();
            appliance.start();
            String demo = appliance.awaitNbdExport("demo", UnpackedAppliance.BOOT_TIMEOUT_MS);
            assertTrue("restart " + i + ": demo size\n" + demo, demo.contains("268435456"));
            appliance.awaitNbdExport("files", 60_000);
            Path back = appliance.home.resolve("../back-" + i + ".bin");
            appliance.exec(60, "nbdcopy", appliance.nbdUri("files"), back.toString());
            assertArrayEquals(
                    "restart " + i + ": the data written before the restarts", image, Files.readAllBytes(back));
            Files.delete(back);
            String exports = appliance.shell("rnbd:exports");
            assertTrue(
                    "restart " + i + ": the shell's export is configured\n" + exports,
                    Pattern.compile("(?m)^\\s*files\\s+\\|\\s*file\\b")
                            .matcher(exports)
                            .find());
            String devices = appliance.shell("rnbd:devices");
            assertTrue(
                    "restart " + i + ": the shell's mapping is mapped\n" + devices,
                    Pattern.compile("(?m)^\\s*files\\s.*\\bmapped\\b")
                            .matcher(devices)
                            .find());
            assertDemoSettings(
                    appliance.awaitShell(
                            "rtrs:session --json demo", Pattern.compile("\"state\":\"CONNECTED\""), 60_000),
                    "restart " + i);
        }
    }

    /** The demo session's policy and reconnect attempts as the shell set them. */
    private static void assertDemoSettings(String json, String when) {
        assertTrue(when + ": the policy set from the shell\n" + json, json.contains("\"policy\":\"round-robin\""));
        assertTrue(
                when + ": the reconnect attempts set from the shell\n" + json,
                json.contains("\"maxReconnectAttempts\":77"));
    }
}
