package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The activation decision: everything missing is named in one line; DiSNI starts only when nothing is. */
class AvailabilityTest {

    @TempDir
    Path root;

    /** Answers the checks as told and records whether DiSNI was started. */
    private static final class Environment implements NativeEnvironment {
        final String library;
        final String access;
        final String start;
        boolean started;

        Environment(String library, String access, String start) {
            this.library = library;
            this.access = access;
            this.start = start;
        }

        @Override
        public String loadLibrary() {
            return library;
        }

        @Override
        public String checkDirectBufferAccess() {
            return access;
        }

        @Override
        public String startDisni() {
            started = true;
            return start;
        }
    }

    private SysfsDevices withDevices(String... names) throws Exception {
        for (String name : names) {
            Files.createDirectories(root.resolve("sys/class/infiniband").resolve(name));
        }
        return new SysfsDevices(root);
    }

    @Test
    void availableWhenLibraryDeviceAndFlagArePresent() throws Exception {
        Environment env = new Environment(null, null, null);
        Availability a = Availability.check(env, withDevices("mlx5_0", "mlx5_1"));
        assertTrue(a.available());
        assertTrue(env.started);
        assertEquals(List.of("mlx5_0", "mlx5_1"), a.devices());
        assertEquals("DiSNI RDMA provider enabled: devices mlx5_0, mlx5_1", a.describe("DiSNI RDMA provider enabled"));
    }

    @Test
    void everythingMissingIsNamedInOneLineAndDisniIsNotStarted() throws Exception {
        Environment env =
                new Environment("libdisni not found in java.library.path (/usr/lib)", "the JVM lacks X", null);
        Availability a = Availability.check(env, withDevices());
        assertFalse(a.available());
        assertFalse(env.started);
        String line = a.describe("DiSNI RDMA provider inactive");
        assertEquals(
                "DiSNI RDMA provider inactive: libdisni not found in java.library.path (/usr/lib); no RDMA device"
                        + " (no " + root.resolve("sys/class/infiniband") + " entries); the JVM lacks X",
                line);
        assertFalse(line.contains("\n"));
    }

    @Test
    void aMismatchedLibdisniKeepsTheProviderInactive() throws Exception {
        Environment env = new Environment(null, null, "libdisni does not match DiSNI 2.1 (jverbs outdated)");
        Availability a = Availability.check(env, withDevices("rxe0"));
        assertFalse(a.available());
        assertEquals(List.of("libdisni does not match DiSNI 2.1 (jverbs outdated)"), a.missing());
    }

    @Test
    void theRealLoaderNamesTheMissingLibraryAndThePath() {
        SystemNativeEnvironment env = new SystemNativeEnvironment("rtrs-no-such-library");
        String reason = env.loadLibrary();
        assertEquals(
                "librtrs-no-such-library not found in java.library.path (" + System.getProperty("java.library.path")
                        + ")",
                reason);
        assertEquals(reason, env.loadLibrary(), "the same answer every time, no NoClassDefFoundError");
    }

    @Test
    void theBuildRunsTestsWithTheFlagDisniNeeds() {
        assertNull(
                new SystemNativeEnvironment().checkDirectBufferAccess(),
                "surefire passes " + SystemNativeEnvironment.EXPORTS_FLAG);
    }

    @Test
    void onThisMachineTheRealCheckReportsTheMissingDeviceWithoutStartingDisni() throws Exception {
        Availability a = Availability.check(new SystemNativeEnvironment(), withDevices());
        assertFalse(a.available());
        assertTrue(
                a.missing().contains("no RDMA device (no " + root.resolve("sys/class/infiniband") + " entries)"),
                a.missing().toString());
    }
}
