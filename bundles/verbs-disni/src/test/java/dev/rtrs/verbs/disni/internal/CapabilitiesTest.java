package dev.rtrs.verbs.disni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrs.verbs.DeviceCapabilities;
import dev.rtrs.verbs.DeviceCapabilities.Capability;
import dev.rtrs.verbs.disni.DisniOptions;
import org.junit.jupiter.api.Test;

/** A DiSNI device reports the configured limits and none of the verbs DiSNI 2.1 cannot express. */
class CapabilitiesTest {

    @Test
    void noOptionalVerbAndTheConfiguredLimits() {
        DeviceCapabilities caps = DisniDevice.capabilitiesOf(new DisniOptions(5, 10, 1024, 3, 8192, 1 << 20, 7, 7));
        for (Capability c : Capability.values()) {
            assertFalse(caps.supports(c), c.name());
        }
        assertTrue(caps.optional().isEmpty());
        assertEquals(1024, caps.maxQueuePairWorkRequests());
        assertEquals(3, caps.maxScatterGatherEntries());
        assertEquals(8192, caps.maxCompletionQueueEntries());
        assertEquals(1 << 20, caps.maxMemoryRegionSize());
        assertEquals(56, caps.maxPrivateData(), "connect carries private data");
    }
}
