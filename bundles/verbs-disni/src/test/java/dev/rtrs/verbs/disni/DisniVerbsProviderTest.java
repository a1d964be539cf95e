package dev.rtrs.verbs.disni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.VerbsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DisniVerbsProviderTest {

    @Test
    void openNamesWhatIsMissingWhereThereIsNoRdmaHardware() {
        assumeFalse(Files.isDirectory(Path.of("/sys/class/infiniband")), "this machine has RDMA devices");
        VerbsException e = assertThrows(VerbsException.class, () -> new DisniVerbsProvider(DisniOptions.defaults()));
        assertEquals(Errno.ENODEV, e.errno());
        assertTrue(e.getMessage().startsWith("ENODEV: DiSNI RDMA provider unavailable: "), e.getMessage());
        assertTrue(e.getMessage().contains("no RDMA device (no /sys/class/infiniband entries)"), e.getMessage());
    }

    @Test
    void optionsRejectWhatNoDeviceAccepts() {
        DisniOptions d = DisniOptions.defaults();
        assertEquals(4, d.maxScatterGatherEntries());
        assertThrows(IllegalArgumentException.class, () -> new DisniOptions(0, 10, 16, 4, 64, 4096, 7, 7));
        assertThrows(IllegalArgumentException.class, () -> new DisniOptions(5, 10, 16, 4, 64, 1L << 31, 7, 7));
        assertThrows(IllegalArgumentException.class, () -> new DisniOptions(5, 10, 16, 4, 64, 4096, 8, 7));
        assertThrows(IllegalArgumentException.class, () -> new DisniOptions(5, 10, 16, 0, 64, 4096, 7, 7));
    }

    @Test
    void theProviderNameIsTheServiceProperty() {
        assertEquals("disni", DisniVerbsProvider.NAME);
    }
}
